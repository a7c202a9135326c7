import Link from "next/link";
import { formatDate } from "@/app/lib/format";
import { api } from "@/app/lib/server-api";
import { CreateToken, CreateUser, RevokeToken, UserActions } from "./access-forms";

export const metadata = { title: "Admin · Pretext" };
export const dynamic = "force-dynamic";

export default async function AdminPage() {
  const caller = await api();
  const [users, tokens] = await Promise.all([caller.access.users(), caller.access.tokens()]);
  return (
    <>
      <h1>Admin</h1>
      <p className="subtitle">
        Who may sign in and which tokens scripts use. Every change here is in the <Link href="/admin/audit">audit log</Link>.
      </p>

      <h2>Users</h2>
      <div className="table-scroll">
        <table className="grid">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Password</th>
              <th>Created</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.name}</td>
                <td>{u.role}</td>
                <td>{u.hasPassword ? "set" : "not yet (signs in by link)"}</td>
                <td>{formatDate(u.createdAt)}</td>
                <td>{u.disabledAt ? `disabled ${formatDate(u.disabledAt)}` : "active"}</td>
                <td>
                  <UserActions name={u.name} role={u.role} disabled={u.disabledAt !== null} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CreateUser />

      <h2>API tokens</h2>
      <p className="subtitle">
        Scripts, the CLI and workers send <code>Authorization: Bearer &lt;token&gt;</code> (the CLI reads <code>PRETEXT_TOKEN</code>). Only a hash is kept: a token is shown once.
      </p>
      <div className="table-scroll">
        <table className="grid">
          <thead>
            <tr>
              <th>Name</th>
              <th>Token</th>
              <th>Scopes</th>
              <th>Project</th>
              <th>Created by</th>
              <th>Last used</th>
              <th>Expires</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.length === 0 && (
              <tr>
                <td colSpan={9}>No tokens yet.</td>
              </tr>
            )}
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{t.scopes.join(", ")}</td>
                <td>{t.projectId ?? "all"}</td>
                <td>{t.createdBy}</td>
                <td>{formatDate(t.lastUsedAt)}</td>
                <td>{formatDate(t.expiresAt)}</td>
                <td>{t.revokedAt ? `revoked ${formatDate(t.revokedAt)}` : t.expiresAt && t.expiresAt < new Date() ? "expired" : "active"}</td>
                <td>{!t.revokedAt && <RevokeToken id={t.id} name={t.name} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CreateToken />
    </>
  );
}
