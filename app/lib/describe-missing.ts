/** What a not-found page was asked for, read from its URL: Next gives not-found pages no params. */
export function describeMissing(pathname: string): { title: string; detail: string } {
  const [section, id, ...rest] = pathname.split("/").filter(Boolean).map(safeDecode);
  if (section === "encoders" && id !== undefined) return describeMissingEncoder(id, rest);
  if (section === "deployments" && id !== undefined) return describeMissingDeployment(id, rest);
  const kind = ({ runs: "run", experiments: "experiment" } as Record<string, string | undefined>)[section];
  if (kind && id !== undefined) {
    const Kind = kind.charAt(0).toUpperCase() + kind.slice(1);
    if (!/^[1-9]\d*$/.test(id)) return { title: `No ${kind} “${clip(id)}”`, detail: `${Kind} ids are whole numbers, like /${section}/12.` };
    return { title: `${Kind} ${id} not found`, detail: `There is no ${kind} with id ${id}: it may have been deleted, or the link may be mistyped.` };
  }
  return { title: "Page not found", detail: `Nothing lives at ${clip(pathname)}.` };
}

/** /encoders/<name>, /encoders/<name>/v/<version>, /encoders/<name>/compare?a=…&b=… */
function describeMissingEncoder(name: string, rest: string[]): { title: string; detail: string } {
  const versions = `See its versions at /encoders/${clip(name)}, or every encoder at /encoders.`;
  if (rest[0] === "v" && rest[1] !== undefined) {
    if (!/^[1-9]\d*$/.test(rest[1])) return { title: `No version “${clip(rest[1])}” of ${clip(name)}`, detail: `Versions are whole numbers, like /encoders/${clip(name)}/v/1.` };
    return { title: `${clip(name)} v${rest[1]} not found`, detail: `There is no version ${rest[1]} of the encoder ${clip(name)}, or no such encoder. ${versions}` };
  }
  if (rest[0] === "compare") return { title: `Cannot compare these versions of ${clip(name)}`, detail: `Pick two of its versions (?a=ID&b=ID, ids from the same name). ${versions}` };
  return { title: `No encoder “${clip(name)}”`, detail: "Nothing is registered under that name: see every encoder at /encoders, or register one from a finished run's page." };
}

/** /deployments/<name>, /deployments/<name>/monitors/<id> */
function describeMissingDeployment(name: string, rest: string[]): { title: string; detail: string } {
  if (rest[0] === "monitors" && rest[1] !== undefined) {
    const monitors = `See the monitors of ${clip(name)} at /deployments/${clip(name)}, or every deployment at /deployments.`;
    if (!/^[1-9]\d*$/.test(rest[1])) return { title: `No monitor “${clip(rest[1])}”`, detail: `Monitor ids are whole numbers, like /deployments/${clip(name)}/monitors/1.` };
    return { title: `Monitor ${rest[1]} of ${clip(name)} not found`, detail: `There is no monitor ${rest[1]} on the deployment ${clip(name)}: it may have been deleted, or belong to another deployment. ${monitors}` };
  }
  return { title: `No deployment “${clip(name)}”`, detail: "Nothing is deployed under that name: see every deployment at /deployments, or create one on an encoder's page." };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a stray % is shown as typed
  }
}

/** A pasted URL can be long; the heading stays one line. */
function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}
