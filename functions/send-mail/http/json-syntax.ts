/**
 * Where a JSON text first breaks the grammar, as a zero-based offset into the decoded text. JSON.parse's
 * own message has no position on Node 20 and quotes the input on newer ones; ours names only the offset.
 * Iterative, so a body of nothing but `[` cannot overflow the stack. Run only after JSON.parse failed.
 */
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u']);
const HEX = /^[0-9a-fA-F]{4}$/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERALS = ['true', 'false', 'null'];

class BrokenAt extends Error {
  constructor(readonly offset: number) {
    super(`the JSON breaks at offset ${offset}`);
  }
}

/** The offset of the first syntax error, or undefined when the text is valid JSON. */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  try {
    new Scanner(text).document();
    return undefined;
  } catch (err) {
    if (err instanceof BrokenAt) return err.offset;
    throw err;
  }
}

class Scanner {
  private i = 0;
  constructor(private readonly text: string) {}

  document(): void {
    const open: string[] = [];
    let expectValue = true;
    for (;;) {
      this.skipSpace();
      if (expectValue) {
        const c = this.peek();
        if (c === '{' || c === '[') {
          this.i += 1;
          this.skipSpace();
          if (this.peek() === (c === '{' ? '}' : ']')) {
            this.i += 1;
            expectValue = false;
          } else {
            open.push(c);
            if (c === '{') this.key();
          }
        } else {
          this.scalar();
          expectValue = false;
        }
        continue;
      }
      const top = open[open.length - 1];
      if (top === undefined) {
        if (this.i === this.text.length) return;
        throw new BrokenAt(this.i);
      }
      const c = this.peek();
      if (c === (top === '{' ? '}' : ']')) {
        open.pop();
        this.i += 1;
      } else if (c === ',') {
        this.i += 1;
        if (top === '{') this.key();
        expectValue = true;
      } else {
        throw new BrokenAt(this.i);
      }
    }
  }

  private peek(): string {
    return this.text.charAt(this.i);
  }

  private skipSpace(): void {
    while (this.i < this.text.length && WHITESPACE.has(this.peek())) this.i += 1;
  }

  /** `"name" :` */
  private key(): void {
    this.skipSpace();
    if (this.peek() !== '"') throw new BrokenAt(this.i);
    this.string();
    this.skipSpace();
    if (this.peek() !== ':') throw new BrokenAt(this.i);
    this.i += 1;
  }

  private scalar(): void {
    if (this.peek() === '"') return this.string();
    const literal = LITERALS.find((word) => word[0] === this.peek());
    if (literal !== undefined) {
      let matched = 0;
      while (matched < literal.length && this.text.charAt(this.i + matched) === literal[matched]) matched += 1;
      if (matched < literal.length) throw new BrokenAt(this.i + matched);
      this.i += matched;
      return;
    }
    NUMBER.lastIndex = this.i;
    const number = NUMBER.exec(this.text)?.[0];
    if (number === undefined) throw new BrokenAt(this.peek() === '-' ? this.i + 1 : this.i);
    this.i += number.length;
    // `1.` or `1e`: the number stopped before an incomplete fraction or exponent.
    if (/[.eE]/.test(this.peek())) throw new BrokenAt(this.i + 1);
  }

  private string(): void {
    this.i += 1;
    for (;;) {
      if (this.i >= this.text.length) throw new BrokenAt(this.i);
      const c = this.peek();
      if (c === '"') {
        this.i += 1;
        return;
      }
      if (c === '\\') {
        const escape = this.text.charAt(this.i + 1);
        if (!ESCAPES.has(escape) || (escape === 'u' && !HEX.test(this.text.slice(this.i + 2, this.i + 6))))
          throw new BrokenAt(this.i + 1);
        this.i += escape === 'u' ? 6 : 2;
      } else if (c.charCodeAt(0) < 0x20) {
        throw new BrokenAt(this.i);
      } else {
        this.i += 1;
      }
    }
  }
}
