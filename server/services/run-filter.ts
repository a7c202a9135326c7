/**
 * The runs-table search language: a hand-written tokenizer and recursive-descent parser that turn
 *   params.method = "simclr" and metrics.knn_acc > 0.8 and status = "finished" or tags.team = "vision"
 * into an AST. Nothing here touches SQL; run-filter-sql.ts compiles the AST with bound parameters.
 *
 *   expr       := and ("or" and)*
 *   and        := unary ("and" unary)*
 *   unary      := "not" unary | "(" expr ")" | comparison
 *   comparison := field op literal
 *   field      := params.KEY | metrics.KEY | min(metrics.KEY) | max(metrics.KEY) | tags.KEY
 *               | status | name | id | backend | worker | created
 *   op         := = | != | <> | < | <= | > | >= | like
 *   literal    := "string" | 'string' | number | true | false
 * A KEY is bare (letters, digits and _ - . / :) or quoted in backticks (`my key`).
 */
import { runStatuses } from "@/drizzle/schema";
import { PretextError } from "@/server/errors";

export const ATTRIBUTES = ["status", "name", "id", "backend", "worker", "created"] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

export type Field =
  | { kind: "attribute"; name: Attribute }
  | { kind: "param"; key: string }
  | { kind: "tag"; key: string }
  | { kind: "metric"; key: string; summary: "last" | "min" | "max" };

export const OPERATORS = ["=", "!=", "<", "<=", ">", ">=", "like"] as const;
export type Operator = (typeof OPERATORS)[number];

export type Literal = string | number | boolean;

export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "compare"; field: Field; op: Operator; value: Literal };

/** A bad expression: where (0-based offset into the text) and what the parser expected there. */
export class FilterSyntaxError extends PretextError {
  constructor(
    readonly field: string,
    readonly position: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(400, `${field}: at position ${position + 1}, expected ${expected}, found ${found}`);
    this.name = "FilterSyntaxError";
  }
}

type Token =
  | { kind: "field"; field: Field; pos: number; text: string }
  | { kind: "word"; word: string; pos: number; text: string }
  | { kind: "string"; value: string; pos: number; text: string }
  | { kind: "number"; value: number; pos: number; text: string }
  | { kind: "op"; op: Operator; pos: number; text: string }
  | { kind: "(" | ")"; pos: number; text: string }
  | { kind: "end"; pos: number; text: string };

const KEY_CHAR = /[A-Za-z0-9_\-./:]/;
const WORD_START = /[A-Za-z_]/;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const PREFIXES = { "params.": "param", "metrics.": "metric", "tags.": "tag" } as const;

function tokenize(text: string, fieldName: string): Token[] {
  const fail = (pos: number, expected: string, found: string): never => {
    throw new FilterSyntaxError(fieldName, pos, expected, found);
  };
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "(" || c === ")") {
      tokens.push({ kind: c, pos: i, text: c });
      i++;
    } else if (c === '"' || c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) fail(text.length, `a closing ${c}`, "end of expression");
        const d = text[i];
        if (d === "\\" && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (d === c) {
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      tokens.push({ kind: "string", value, pos: start, text: text.slice(start, i) });
    } else if (/[=!<>]/.test(c)) {
      const two = text.slice(i, i + 2);
      const op = (["!=", "<=", ">=", "<>", "=="] as string[]).includes(two) ? two : c;
      if (op === "!") fail(i, 'an operator (= != < <= > >= like)', '"!"');
      i += op.length;
      const normal = op === "<>" ? "!=" : op === "==" ? "=" : (op as Operator);
      tokens.push({ kind: "op", op: normal, pos: start, text: op });
    } else if (/[-.\d]/.test(c)) {
      const m = NUMBER.exec(text.slice(i));
      if (!m) fail(i, "a number", describeChar(c));
      i += m![0].length;
      if (i < text.length && KEY_CHAR.test(text[i])) fail(i, "a number", `"${text.slice(start, i + 1)}"`);
      tokens.push({ kind: "number", value: Number(m![0]), pos: start, text: m![0] });
    } else if (WORD_START.test(c)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
      const word = text.slice(start, i);
      const prefix = `${word.toLowerCase()}.`;
      if (text[i] === "." && prefix in PREFIXES) {
        i++;
        let key = "";
        if (text[i] === "`") {
          const close = text.indexOf("`", i + 1);
          if (close < 0) fail(text.length, "a closing `", "end of expression");
          key = text.slice(i + 1, close);
          i = close + 1;
        } else {
          while (i < text.length && KEY_CHAR.test(text[i])) key += text[i++];
        }
        if (!key) fail(i, `a key after "${word}."`, describeAt(text, i));
        const kind = PREFIXES[prefix as keyof typeof PREFIXES];
        const field: Field = kind === "metric" ? { kind, key, summary: "last" } : { kind, key };
        tokens.push({ kind: "field", field, pos: start, text: text.slice(start, i) });
      } else {
        if (i < text.length && KEY_CHAR.test(text[i])) fail(i, "a field such as params.KEY, metrics.KEY, tags.KEY or status", `"${word}${text[i]}"`);
        tokens.push({ kind: "word", word: word.toLowerCase(), pos: start, text: word });
      }
    } else {
      fail(i, "a field, a value, an operator or a parenthesis", describeChar(c));
    }
  }
  tokens.push({ kind: "end", pos: text.length, text: "" });
  return tokens;
}

function describeChar(c: string): string {
  return `"${c}"`;
}

function describeAt(text: string, i: number): string {
  return i >= text.length ? "end of expression" : `"${text[i]}"`;
}

function describe(t: Token): string {
  return t.kind === "end" ? "end of expression" : `"${t.text}"`;
}

const FIELD_HINT = "a field (params.KEY, metrics.KEY, min(metrics.KEY), max(metrics.KEY), tags.KEY, status, name, id, backend, worker, created)";

/** Deeper nesting than any real query; it keeps a hostile expression from exhausting the stack. */
const MAX_DEPTH = 64;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly fieldName: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.i];
  }

  private fail(t: Token, expected: string): never {
    throw new FilterSyntaxError(this.fieldName, t.pos, expected, describe(t));
  }

  private isWord(w: string): boolean {
    const t = this.peek();
    return t.kind === "word" && t.word === w;
  }

  parseExpression(): FilterNode {
    let left = this.parseAnd();
    while (this.isWord("or")) {
      this.i++;
      left = { kind: "or", left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.isWord("and")) {
      this.i++;
      left = { kind: "and", left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    if (this.depth >= MAX_DEPTH) this.fail(this.peek(), `at most ${MAX_DEPTH} nested "not"s and parentheses`);
    this.depth++;
    try {
      if (this.isWord("not")) {
        this.i++;
        return { kind: "not", operand: this.parseUnary() };
      }
      if (this.peek().kind === "(") {
        this.i++;
        const inner = this.parseExpression();
        if (this.peek().kind !== ")") this.fail(this.peek(), '")" or "and"/"or"');
        this.i++;
        return inner;
      }
      return this.parseComparison();
    } finally {
      this.depth--;
    }
  }

  parseField(): Field {
    const t = this.peek();
    if (t.kind === "field") {
      this.i++;
      return t.field;
    }
    if (t.kind === "word" && (t.word === "min" || t.word === "max")) {
      this.i++;
      if (this.peek().kind !== "(") this.fail(this.peek(), `"(" after ${t.word}`);
      this.i++;
      const inner = this.peek();
      if (inner.kind !== "field" || inner.field.kind !== "metric") this.fail(inner, `metrics.KEY inside ${t.word}(…)`);
      this.i++;
      if (this.peek().kind !== ")") this.fail(this.peek(), `")" after ${inner.text}`);
      this.i++;
      return { kind: "metric", key: inner.field.key, summary: t.word };
    }
    if (t.kind === "word" && (ATTRIBUTES as readonly string[]).includes(t.word)) {
      this.i++;
      return { kind: "attribute", name: t.word as Attribute };
    }
    return this.fail(t, FIELD_HINT);
  }

  private parseComparison(): FilterNode {
    const fieldToken = this.peek();
    const field = this.parseField();
    let op: Operator;
    const t = this.peek();
    if (t.kind === "op") op = t.op;
    else if (t.kind === "word" && t.word === "like") op = "like";
    else return this.fail(t, `an operator (= != < <= > >= like) after ${fieldToken.text}`);
    this.i++;
    const v = this.peek();
    let value: Literal;
    if (v.kind === "string" || v.kind === "number") value = v.value;
    else if (v.kind === "word" && (v.word === "true" || v.word === "false")) value = v.word === "true";
    else return this.fail(v, `a value (a "string", a number, true or false) after ${t.text}`);
    this.i++;
    checkTypes(field, op, value, fieldToken, v, this.fieldName);
    return { kind: "compare", field, op, value };
  }

  expectEnd() {
    if (this.peek().kind !== "end") this.fail(this.peek(), '"and", "or" or the end of the expression');
  }
}

/**
 * A date PostgreSQL can compare with: one JavaScript parses, in the years 1 to 9999 (the SQL side
 * binds its ISO form, which PostgreSQL refuses for year 0 and for the six-digit years beyond 9999).
 */
function storableDate(value: Literal): boolean {
  if (typeof value !== "string") return false;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return false;
  const year = new Date(ms).getUTCFullYear();
  return year >= 1 && year <= 9999;
}

/** Rejects comparisons that cannot mean anything, at the value's position, so the error says why. */
function checkTypes(field: Field, op: Operator, value: Literal, fieldToken: Token, valueToken: Token, fieldName: string) {
  const fail = (expected: string): never => {
    throw new FilterSyntaxError(fieldName, valueToken.pos, expected, describe(valueToken));
  };
  if (op === "like" && typeof value !== "string") fail(`a "pattern" string for like (% matches any text)`);
  if (typeof value === "boolean" && op !== "=" && op !== "!=") fail("a string or a number (true/false only compare with = or !=)");
  switch (field.kind) {
    case "metric":
      if (typeof value !== "number" || op === "like") fail(`a number to compare ${fieldToken.text} with`);
      break;
    case "attribute":
      if (field.name === "id" && typeof value !== "number") fail("a run id (a number)");
      if (field.name === "status" && (typeof value !== "string" || !(runStatuses as readonly string[]).includes(value))) {
        fail(`a status (${runStatuses.map((s) => `"${s}"`).join(", ")})`);
      }
      if (field.name === "created" && !storableDate(value)) fail('a date between the years 1 and 9999, such as "2026-01-31" or "2026-01-31T12:00:00Z"');
      if (["name", "backend", "worker"].includes(field.name) && typeof value !== "string") fail(`a "string" to compare ${field.name} with`);
      break;
    default:
      break;
  }
}

/** Parses a search expression; an empty (or blank) expression is no filter. */
export function parseFilter(text: string, fieldName = "filter"): FilterNode | null {
  const tokens = tokenize(text, fieldName);
  if (tokens.length === 1) return null;
  const parser = new Parser(tokens, fieldName);
  const node = parser.parseExpression();
  parser.expectEnd();
  return node;
}

/** Parses a single field (the sort column, a chosen column) with the same syntax as in expressions. */
export function parseFieldName(text: string, fieldName = "sort"): Field {
  const tokens = tokenize(text, fieldName);
  const parser = new Parser(tokens, fieldName);
  const field = parser.parseField();
  parser.expectEnd();
  return field;
}

/** The canonical spelling of a field, e.g. for URLs: params.lr, max(metrics.acc), tags.`my tag`. */
export function fieldName(field: Field): string {
  const key = (k: string) => (/^[A-Za-z0-9_\-./:]+$/.test(k) ? k : `\`${k}\``);
  switch (field.kind) {
    case "attribute":
      return field.name;
    case "param":
      return `params.${key(field.key)}`;
    case "tag":
      return `tags.${key(field.key)}`;
    case "metric":
      return field.summary === "last" ? `metrics.${key(field.key)}` : `${field.summary}(metrics.${key(field.key)})`;
  }
}
