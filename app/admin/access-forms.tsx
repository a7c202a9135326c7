"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { trpc } from "@/app/lib/trpc-client";

function useAction() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const run = async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setError(null);
    try {
      const result = await fn();
      router.refresh();
      return result;
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return { run, error };
}

/** A secret shown once, with the reason it cannot be shown again. */
function Secret({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <p>{label} — copy it now, it is not shown again:</p>
      <div className="secret">{value}</div>
    </div>
  );
}

export function CreateUser() {
  const { run, error } = useAction();
  const [link, setLink] = useState<string | null>(null);
  return (
    <form
      className="form-row"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        const made = await run(() => trpc.access.createUser.mutate({ name: String(form.get("name")), role: form.get("role") as "viewer" }));
        if (made) setLink(`${window.location.origin}/sign-in/${made.link}`);
      }}
    >
      <input name="name" placeholder="new user's name" required aria-label="new user's name" />
      <select name="role" defaultValue="editor" aria-label="role">
        <option value="viewer">viewer (read)</option>
        <option value="editor">editor (read, write)</option>
        <option value="admin">admin (everything)</option>
      </select>
      <button type="submit">Add user</button>
      {error && <div className="error-box">{error}</div>}
      {link && <Secret label="Their one-time sign-in link (24 hours)" value={link} />}
    </form>
  );
}

export function UserActions({ name, role, disabled }: { name: string; role: string; disabled: boolean }) {
  const { run, error } = useAction();
  const [link, setLink] = useState<string | null>(null);
  return (
    <span className="form-row">
      <select value={role} aria-label={`role of ${name}`} onChange={(e) => run(() => trpc.access.updateUser.mutate({ name, role: e.target.value as "viewer" }))}>
        <option value="viewer">viewer</option>
        <option value="editor">editor</option>
        <option value="admin">admin</option>
      </select>
      <button onClick={() => run(() => trpc.access.updateUser.mutate({ name, disabled: !disabled }))}>{disabled ? "Enable" : "Disable"}</button>
      <button
        onClick={async () => {
          const secret = await run(() => trpc.access.signInLink.mutate({ name }));
          if (secret) setLink(`${window.location.origin}/sign-in/${secret}`);
        }}
      >
        New sign-in link
      </button>
      {error && <span className="error-box">{error}</span>}
      {link && <Secret label={`One-time link for ${name}`} value={link} />}
    </span>
  );
}

export function CreateToken() {
  const { run, error } = useAction();
  const [token, setToken] = useState<string | null>(null);
  return (
    <form
      className="form-row"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        const scope = String(form.get("scope"));
        const project = String(form.get("project") ?? "").trim();
        const days = String(form.get("days") ?? "").trim();
        const made = await run(() =>
          trpc.access.createToken.mutate({
            name: String(form.get("name")),
            scopes: [scope as "read"],
            project: project || undefined,
            expiresInDays: days ? Number(days) : undefined,
          }),
        );
        if (made) setToken(made.token);
      }}
    >
      <input name="name" placeholder="token name, e.g. ci" required aria-label="token name" />
      <select name="scope" defaultValue="write" aria-label="scope">
        <option value="read">read</option>
        <option value="write">write (and read)</option>
        <option value="admin">admin (everything)</option>
      </select>
      <input name="project" placeholder="only this project (optional)" aria-label="project" />
      <input name="days" type="number" min="1" placeholder="expires in days (optional)" aria-label="expires in days" />
      <button type="submit">Create token</button>
      {error && <div className="error-box">{error}</div>}
      {token && <Secret label="The new token" value={token} />}
    </form>
  );
}

export function RevokeToken({ id, name }: { id: number; name: string }) {
  const { run, error } = useAction();
  return (
    <>
      <button onClick={() => window.confirm(`Revoke token ${name}? Whatever uses it stops working at once.`) && run(() => trpc.access.revokeToken.mutate({ id }))}>Revoke</button>
      {error && <span className="error-box">{error}</span>}
    </>
  );
}
