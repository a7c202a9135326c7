import { viewer } from "@/app/lib/viewer";
import { PasswordForm } from "./password-form";

export const metadata = { title: "Account · Pretext" };

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ welcome?: string }> }) {
  const { principal } = await viewer();
  const { welcome } = await searchParams;
  if (principal.userId === undefined) {
    return (
      <>
        <h1>Account</h1>
        <p className="subtitle">You are {principal.actor}: only a signed-in user has an account page.</p>
      </>
    );
  }
  return (
    <>
      <h1>{principal.actor.replace(/^user:/, "")}</h1>
      <p className="subtitle">Role: {principal.scope === "admin" ? "admin" : principal.scope === "write" ? "editor" : "viewer"}</p>
      {welcome && <div className="warning">You are signed in by a one-time link. Set a password to sign in again later.</div>}
      <h2>Password</h2>
      <PasswordForm />
    </>
  );
}
