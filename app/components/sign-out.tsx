"use client";
import { apiFetch } from "@/app/lib/api-fetch";

export function SignOut() {
  return (
    <button
      className="link-button"
      onClick={async () => {
        await apiFetch("/api/v1/auth/sign-out", "POST");
        window.location.assign("/sign-in");
      }}
    >
      Sign out
    </button>
  );
}
