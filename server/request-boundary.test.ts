import { describe, expect, it } from "vitest";
import { refuseRequest, signInRedirect } from "./request-boundary";

const at = (path: string) => new URL(`http://localhost:3000${path}`);
const headers = (h: Record<string, string> = {}) => new Headers({ host: "localhost:3000", ...h });

describe("the request boundary", () => {
  it("refuses a NUL character anywhere in the URL, encoded or in a query", () => {
    expect(refuseRequest("GET", at("/api/v1/encoders?name=a%00b"), headers())).toEqual({ status: 400, error: "url: must not contain the NUL character (%00)" });
    expect(refuseRequest("GET", at("/runs/1%00"), headers())?.status).toBe(400);
    expect(refuseRequest("GET", at("/api/v1/runs?filter=%E0%A4%A"), headers())).toEqual({ status: 400, error: "url: malformed percent-encoding" });
    expect(refuseRequest("GET", at("/api/v1/encoders?name=a+b%20c"), headers())).toBeNull();
  });

  it("refuses writes from another site, and lets same-site pages and non-browser clients write", () => {
    const write = (h: Record<string, string>) => refuseRequest("POST", at("/api/v1/runs"), headers({ "content-type": "application/json", ...h }));
    expect(write({ origin: "https://evil.example" })).toEqual({ status: 403, error: "origin: https://evil.example may not write to this server (cross-site request)" });
    expect(write({ origin: "null" })?.status).toBe(403);
    expect(write({ origin: "http://localhost:3001" })?.status).toBe(403);
    expect(write({ origin: "http://localhost:3000" })).toBeNull();
    expect(write({})).toBeNull(); // curl, the CLI, the TypeScript client send no Origin
    expect(write({ origin: "https://pretext.example.org", "x-forwarded-host": "pretext.example.org" })).toBeNull();
    // reads are never refused for their origin: the browser's same-origin policy keeps their answers private
    expect(refuseRequest("GET", at("/api/v1/runs/1"), headers({ origin: "https://evil.example" }))).toBeNull();
  });

  it("takes JSON writes only as application/json, and artifact uploads as any type", () => {
    for (const type of ["text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      expect(refuseRequest("POST", at("/api/v1/runs/1/log"), headers({ "content-type": type }))?.status).toBe(415);
      expect(refuseRequest("POST", at("/api/trpc/runs.setNotes"), headers({ "content-type": type }))?.status).toBe(415);
      expect(refuseRequest("PUT", at("/api/v1/runs/1/artifacts/model.bin"), headers({ "content-type": type }))).toBeNull();
    }
    expect(refuseRequest("POST", at("/api/v1/runs/1/log"), headers({ "content-type": "text/plain" }))?.error).toBe("content-type: text/plain is not accepted; send the body as application/json");
    expect(refuseRequest("POST", at("/api/v1/runs/1/cancel"), headers())).toBeNull(); // no body, no type
  });
});

describe("signInRedirect", () => {
  const url = (p: string) => new URL(`http://127.0.0.1:3000${p}`);
  it("sends a page without any credential to sign in, and nothing else", () => {
    expect(signInRedirect(url("/runs/3?tab=x"), new Headers(), {})).toBe("/sign-in?next=%2Fruns%2F3%3Ftab%3Dx");
    expect(signInRedirect(url("/runs/3"), new Headers({ cookie: "a=1; pretext_session=abc" }), {})).toBeNull();
    expect(signInRedirect(url("/runs/3"), new Headers({ authorization: "Bearer x" }), {})).toBeNull();
    expect(signInRedirect(url("/api/v1/runs"), new Headers(), {})).toBeNull();
    expect(signInRedirect(url("/sign-in"), new Headers(), {})).toBeNull();
    expect(signInRedirect(url("/icon.svg"), new Headers(), {})).toBeNull();
    expect(signInRedirect(url("/"), new Headers(), { PRETEXT_AUTH: "off" })).toBeNull();
    expect(signInRedirect(url("/"), new Headers(), { PRETEXT_ANONYMOUS_READ: "true" })).toBeNull();
  });
});
