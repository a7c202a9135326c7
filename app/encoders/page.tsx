import Link from "next/link";
import { api } from "@/app/lib/server-api";
import { formatDate } from "@/app/lib/format";
import { encoderHref, versionHref } from "@/app/lib/encoder-registry";
import "./registry.css";

export const dynamic = "force-dynamic";

/** Every registered encoder name: how many versions, which serves production, which are staged. */
export default async function EncodersPage() {
  const names = await (await api()).registry.names();
  return (
    <>
      <h1>Encoders</h1>
      <p className="subtitle">Registered encoders, their versions and stages; production versions are what deployments serve.</p>
      {names.length === 0 ? (
        <div className="empty getting-started" data-testid="encoders-empty">
          <b>No encoders registered yet.</b> Register one of two ways:
          <ol>
            <li>
              Open a finished pretraining run that saved an <code>encoder.ptx</code> (see <Link href="/">Experiments</Link>) and press <b>Register encoder</b>.
            </li>
            <li>
              Or over the API, naming the run and its artifact:
              <pre>{`curl -s -X POST localhost:3000/api/v1/encoders -H 'content-type: application/json' \\
  -d '{"name": "fashion-mnist-simclr", "runId": 1, "artifactName": "encoder.ptx"}'`}</pre>
            </li>
          </ol>
          Each registration of a name makes its next version (v1, v2, …), exported to ONNX for serving.
        </div>
      ) : (
        <div className="table-scroll registry-section">
          <table className="grid" data-testid="encoder-names">
            <thead>
              <tr>
                <th>Encoder</th>
                <th className="num">Versions</th>
                <th>Production</th>
                <th>Staging</th>
                <th>Last registered</th>
              </tr>
            </thead>
            <tbody>
              {names.map((n) => (
                <tr key={n.name}>
                  <td>
                    <Link href={encoderHref(n.name)}>{n.name}</Link>
                  </td>
                  <td className="num">{n.versions}</td>
                  <td>{n.production === null ? <span className="muted">—</span> : <Link href={versionHref(n.name, n.production)}>v{n.production}</Link>}</td>
                  <td>
                    {n.staging.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      n.staging.map((v, i) => (
                        <span key={v}>
                          {i > 0 && ", "}
                          <Link href={versionHref(n.name, v)}>v{v}</Link>
                        </span>
                      ))
                    )}
                  </td>
                  <td>
                    <Link href={versionHref(n.name, n.latest)}>v{n.latest}</Link> <span className="muted">· {formatDate(n.updatedAt)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
