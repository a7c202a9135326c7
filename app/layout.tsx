import type { Metadata } from "next";
import Link from "next/link";
import "./globals.css";

export const metadata: Metadata = { title: "Pretext", description: "Self-supervised learning: track, evaluate, roll out" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
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
            <Link href="/launch">Launch</Link>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
