import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in · Pretext" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next, error } = await searchParams;
  // only a path on this site, never another origin
  const back = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
  return (
    <>
      <h1>Sign in</h1>
      <p className="subtitle">
        First start? Use the one-time link the server printed. Lost it? <code>npx pretext user link admin</code> makes a new one.
      </p>
      {error && <div className="error-box">{error}</div>}
      <SignInForm next={back} />
    </>
  );
}
