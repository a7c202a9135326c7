import { describe, expect, it } from "vitest";
import { z } from "zod";
import { auditJobSchema, evaluateJobSchema } from "@/server/jobs/configs/jobs";
import { pretrainConfigSchema } from "@/server/jobs/configs/pretrain";
import { constraintText, defaultOf, fieldKind, formatValue, parseNumber, parseNumbers, switchVariant, titleOf, variantOf, withKey, type FieldKind, type JsonSchema } from "./json-schema";

const form = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as JsonSchema;
const pretrain = form(pretrainConfigSchema);

/** Every field of a schema as the form walks it: [path, its schema, its kind], variants' fields included. */
function fields(s: JsonSchema, path = ""): [string, JsonSchema, FieldKind][] {
  const kind = fieldKind(s);
  const here: [string, JsonSchema, FieldKind][] = path ? [[path, s, kind]] : [];
  const at = (k: string) => (path ? `${path}.${k}` : k);
  if (kind.kind === "object") return [...here, ...Object.entries(s.properties!).flatMap(([k, c]) => fields(c, at(k)))];
  if (kind.kind === "union") {
    return [...here, ...kind.options.flatMap((o) => Object.entries(o.schema.properties!).filter(([k]) => k !== kind.discriminator).flatMap(([k, c]) => fields(c, `${path}[${o.value}].${k}`)))];
  }
  return here;
}

describe("the launch form's reading of a config schema", () => {
  it("gives every pretraining field a control; only lists of objects (a multi-task's tasks, the evaluation's candidate policies) fall back to JSON", () => {
    const all = fields(pretrain);
    expect(all.filter(([, , k]) => k.kind === "json").map(([p]) => p)).toEqual(["method[multitask].tasks", "evaluation.selection.policies"]);
    const kinds = Object.fromEntries(all.map(([p, , k]) => [p, k.kind]));
    expect(kinds).toMatchObject({
      name: "string",
      dataset: "union",
      "dataset[image-folder].channels": "choice",
      "dataset[image-folder].size": "numbers",
      encoder: "union",
      "encoder[cnn].channels": "numbers",
      "encoder[mlp].hidden": "numbers",
      method: "union",
      "method[simclr].head": "object",
      "method[simclr].head.batchNorm": "boolean",
      optimizer: "union",
      "optimizer[adam].lr": "number",
      batchSize: "number",
      precision: "choice",
      backend: "choice",
      evaluation: "object",
      "evaluation.protocols": "choices",
      "evaluation.dataset": "union",
    });
  });

  it("has help text for every field (the schema's descriptions)", () => {
    const undescribed = fields(pretrain).filter(([, s]) => !s.description).map(([p]) => p);
    expect(undescribed).toEqual([]);
    for (const schema of [evaluateJobSchema, auditJobSchema]) expect(fields(form(schema)).filter(([, s]) => !s.description).map(([p]) => p)).toEqual([]);
  });

  it("tells union variants apart by their tag, and keeps the shared fields when the tag changes", () => {
    const optimizer = fieldKind(pretrain.properties!.optimizer);
    if (optimizer.kind !== "union") throw new Error("optimizer is a union");
    expect(optimizer.discriminator).toBe("name");
    expect(optimizer.options.map((o) => o.value)).toEqual(["sgd", "adam", "adamw"]);
    expect(variantOf(optimizer, { name: "adamw" })?.properties).toHaveProperty("beta1");
    expect(switchVariant(optimizer, { name: "adam", lr: 0.01, beta1: 0.8 }, "sgd")).toEqual({ name: "sgd", lr: 0.01 });
    expect(switchVariant(optimizer, undefined, "adam")).toEqual({ name: "adam" });
  });

  it("shows a parent's default for a child while the parent is unset", () => {
    const moco = (fieldKind(pretrain.properties!.method) as Extract<FieldKind, { kind: "union" }>).options.find((o) => o.value === "moco")!.schema;
    const head = moco.properties!.head;
    const batchNorm = head.properties!.batchNorm;
    expect(defaultOf(batchNorm, undefined, head.default, "batchNorm")).toBe(false); // MoCo's head default
    expect(defaultOf(batchNorm, { outDim: 32 }, head.default, "batchNorm")).toBe(true); // the head schema's own
  });

  it("parses what is typed into numbers, keeping what is not a number for the schema to name", () => {
    expect(parseNumber("0.001")).toBe(0.001);
    expect(parseNumber("1e-3")).toBe(0.001);
    expect(parseNumber(" -2 ")).toBe(-2);
    expect(parseNumber("")).toBeUndefined();
    expect(parseNumber("fast")).toBe("fast");
    expect(parseNumbers("512, 256")).toEqual([512, 256]);
    expect(parseNumbers("512, ")).toEqual([512]);
    expect(parseNumbers("32, x")).toEqual([32, "x"]);
    expect(parseNumbers(" ")).toBeUndefined();
    expect(pretrainConfigSchema.safeParse({ ...minimal, encoder: { kind: "mlp", hidden: parseNumbers("32, x") } }).error?.issues[0]).toMatchObject({ path: ["encoder", "hidden", 1], message: "Invalid input: expected number, received string" });
  });

  it("says what a field allows", () => {
    const p = pretrain.properties!;
    expect(constraintText(p.batchSize)).toBe("integer ≥ 2, ≤ 65536");
    expect(constraintText(p.name)).toBe("at most 200 characters");
    expect(constraintText(p.data.properties!.testFraction)).toBe("number ≥ 0, < 1");
    expect(constraintText(p.encoderWorkers)).toBe("integer ≥ 1, ≤ 64");
    const cnn = (fieldKind(p.encoder) as Extract<FieldKind, { kind: "union" }>).options[0].schema;
    expect(constraintText(cnn.properties!.channels)).toBe("2 integers > 0");
    expect(formatValue([512, 256])).toBe("512, 256");
    expect(titleOf("linearProbe")).toBe("Linear probe");
    expect(withKey({ a: 1, b: 2 }, "a", undefined)).toEqual({ b: 2 });
    expect(withKey(undefined, "a", 1)).toEqual({ a: 1 });
  });
});

const minimal = { dataset: { kind: "fashion-mnist" }, encoder: { kind: "mlp" }, method: { name: "simclr" }, optimizer: { name: "adam", lr: 0.001 } };
