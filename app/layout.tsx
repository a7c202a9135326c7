import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SignOut } from "@/app/components/sign-out";
import { viewer } from "@/app/lib/viewer";
import { hasScope } from "@/server/auth/principal";
import "./globals.css";

export const metadata: Metadata = { title: "Pretext", description: "Self-supervised learning: track, evaluate, roll out" };

/** Every page but sign-in needs a viewer who may read; the others are sent to sign in and brought back. */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const { principal, path, authEnabled } = await viewer();
  const signingIn = path.startsWith("/sign-in");
  if (!signingIn && !hasScope(principal, "read")) redirect(`/sign-in?next=${encodeURIComponent(path)}`);
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            Pretext
          </Link>
          <nav>
            <Link href="/">Experiments</Link>
            <Link href="/benchmarks">Benchmarks</Link>
            <Link href="/encoders">Encoders</Link>
            <Link href="/deployments">Deployments</Link>
            <Link href="/launch">Launch</Link>
            {hasScope(principal, "admin") && authEnabled && <Link href="/admin">Admin</Link>}
          </nav>
          <span className="who">
            {!authEnabled ? (
              <span className="auth-off" title="PRETEXT_AUTH=off: anyone who reaches this server may change anything">
                Authentication is off
              </span>
            ) : principal.userId !== undefined ? (
              <>
                <Link href="/account">{principal.actor.replace(/^user:/, "")}</Link> · <SignOut />
              </>
            ) : (
              !signingIn && <Link href="/sign-in">Sign in</Link>
            )}
          </span>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
