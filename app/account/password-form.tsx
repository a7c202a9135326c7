"use client";
import { useState } from "react";
import { apiFetch } from "@/app/lib/api-fetch";

export function PasswordForm() {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <form
      className="form-narrow"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const password = new FormData(form).get("password");
        try {
          await apiFetch("/api/v1/account/password", "POST", { password });
          form.reset();
          setMessage({ ok: true, text: "Password set." });
        } catch (err) {
          setMessage({ ok: false, text: (err as Error).message });
        }
      }}
    >
      <label>
        New password (at least 12 characters)
        <input name="password" type="password" autoComplete="new-password" minLength={12} required />
      </label>
      <button type="submit">Set password</button>
      {message && <div className={message.ok ? "warning" : "error-box"}>{message.text}</div>}
    </form>
  );
}
