import { describe, expect, it } from "vitest";
import { fieldName, FilterSyntaxError, parseFieldName, parseFilter, type FilterNode } from "./run-filter";

/** A compact rendering of the AST so expectations read like the precedence they check. */
function show(node: FilterNode | null): string {
  if (!node) return "∅";
  switch (node.kind) {
    case "and":
    case "or":
      return `(${show(node.left)} ${node.kind} ${show(node.right)})`;
    case "not":
      return `(not ${show(node.operand)})`;
    case "compare":
      return `${fieldName(node.field)} ${node.op} ${JSON.stringify(node.value)}`;
  }
}

function syntaxError(text: string): FilterSyntaxError {
  try {
    parseFilter(text);
  } catch (err) {
    expect(err).toBeInstanceOf(FilterSyntaxError);
    return err as FilterSyntaxError;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe("search expression parser", () => {
  it("parses the example with and binding tighter than or", () => {
    const ast = parseFilter('params.method = "simclr" and metrics.knn_acc > 0.8 and status = "finished" or tags.team = "vision"');
    expect(show(ast)).toBe(
      '(((params.method = "simclr" and metrics.knn_acc > 0.8) and status = "finished") or tags.team = "vision")',
    );
  });

  it("honours parentheses and not, case-insensitively", () => {
    expect(show(parseFilter("NOT (params.lr >= 1e-3 OR params.lr < .0001) And id != 7"))).toBe(
      "((not (params.lr >= 0.001 or params.lr < 0.0001)) and id != 7)",
    );
    expect(show(parseFilter("not not status = 'failed'"))).toBe('(not (not status = "failed"))');
  });

  it("reads keys with slashes, dots and colons, backtick-quoted keys, summaries and escapes", () => {
    expect(show(parseFilter("metrics.train/loss<=-0.5"))).toBe("metrics.train/loss <= -0.5");
    expect(show(parseFilter("max(metrics.eval.knn:top1) > 0.9 and min( metrics.loss ) < 1"))).toBe(
      "(max(metrics.eval.knn:top1) > 0.9 and min(metrics.loss) < 1)",
    );
    expect(show(parseFilter("params.`my key` = 'it\\'s' and tags.x <> \"a\\\"b\""))).toBe(
      '(params.`my key` = "it\'s" and tags.x != "a\\"b")',
    );
    expect(show(parseFilter('name like "sim%" and params.amp = true'))).toBe('(name like "sim%" and params.amp = true)');
  });

  it("treats a blank expression as no filter", () => {
    expect(parseFilter("")).toBeNull();
    expect(parseFilter("   ")).toBeNull();
  });

  it("says where a bad expression goes wrong and what was expected", () => {
    const cut = syntaxError('params.method = "simclr" and');
    expect(cut.position).toBe(28);
    expect(cut.message).toBe(
      "filter: at position 29, expected a field (params.KEY, metrics.KEY, min(metrics.KEY), max(metrics.KEY), tags.KEY, status, name, id, backend, worker, created), found end of expression",
    );
    expect(cut.status).toBe(400);

    const noValue = syntaxError("metrics.acc >");
    expect([noValue.position, noValue.expected]).toEqual([13, 'a value (a "string", a number, true or false) after >']);

    const noOp = syntaxError("params.lr 0.1");
    expect([noOp.position, noOp.expected, noOp.found]).toEqual([10, "an operator (= != < <= > >= like) after params.lr", '"0.1"']);

    const unclosed = syntaxError("(status = 'running'");
    expect([unclosed.position, unclosed.expected]).toEqual([19, '")" or "and"/"or"']);

    const trailing = syntaxError("status = 'running' 'x'");
    expect([trailing.position, trailing.found]).toEqual([19, "\"'x'\""]);

    const quote = syntaxError('name = "abc');
    expect([quote.position, quote.expected]).toEqual([11, 'a closing "']);

    expect(syntaxError("param.lr = 1").found).toBe('"param."');
    expect(syntaxError("params. = 1").expected).toBe('a key after "params."');
    expect(syntaxError("metrics.acc > 0.8.1").found).toBe('"0.8."');
    expect(syntaxError("metrics.acc ! 1").position).toBe(12);
    expect(syntaxError("metrics.acc > 1 ; drop table runs").found).toBe('";"');
    expect(syntaxError("(".repeat(5000) + "id = 1" + ")".repeat(5000)).expected).toBe('at most 64 nested "not"s and parentheses');
    expect(show(parseFilter("(".repeat(60) + "id = 1" + ")".repeat(60)))).toBe("id = 1");
  });

  it("rejects comparisons that cannot mean anything, pointing at the value", () => {
    const text = syntaxError('metrics.acc > "high"');
    expect([text.position, text.expected]).toEqual([14, "a number to compare metrics.acc with"]);
    expect(syntaxError('status = "done"').expected).toBe('a status ("queued", "running", "finished", "failed", "cancelled")');
    expect(syntaxError('id = "7"').expected).toBe("a run id (a number)");
    expect(syntaxError("params.lr like 1").expected).toMatch(/pattern/);
    expect(syntaxError("params.amp > true").expected).toMatch(/true\/false only compare with = or !=/);
    expect(syntaxError('created > "yesterday"').expected).toMatch(/a date/);
    // dates JavaScript parses but PostgreSQL cannot bind (year 0, six-digit years): a 400 here, not a 500 from SQL
    for (const date of ["0000-01-01", "-271821-04-20T00:00:00Z", "+010000-01-01T00:00:00Z", "+275760-09-13T00:00:00Z"]) {
      expect(syntaxError(`created > "${date}"`).expected).toMatch(/a date between the years 1 and 9999/);
    }
    expect(show(parseFilter('created >= "0001-01-01" and created < "9999-12-31T23:59:59Z"'))).toBe('(created >= "0001-01-01" and created < "9999-12-31T23:59:59Z")');
    expect(syntaxError("max(params.lr) > 1").expected).toBe("metrics.KEY inside max(…)");
  });

  it("parses a sort field with the same syntax", () => {
    expect(parseFieldName("max(metrics.acc)")).toEqual({ kind: "metric", key: "acc", summary: "max" });
    expect(parseFieldName("params.`batch size`")).toEqual({ kind: "param", key: "batch size" });
    expect(fieldName(parseFieldName("created"))).toBe("created");
    expect(() => parseFieldName("params.lr desc")).toThrow('sort: at position 11, expected "and", "or" or the end of the expression, found "desc"');
  });
});
