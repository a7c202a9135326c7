"use client";
import { useState } from "react";
import { apiFetch } from "@/app/lib/api-fetch";

export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="form-narrow"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        setBusy(true);
        setError(null);
        try {
          await apiFetch("/api/v1/auth/sign-in", "POST", { name: form.get("name"), password: form.get("password") });
          window.location.assign(next);
        } catch (err) {
          setError((err as Error).message);
          setBusy(false);
        }
      }}
    >
      <label>
        User
        <input name="name" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {error && <div className="error-box">{error}</div>}
    </form>
  );
}
