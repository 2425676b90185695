/**
 * Whether a CHECK expression reads the same on every engine: column names, literals, comparisons, arithmetic,
 * AND/OR/NOT, IN, BETWEEN, IS [NOT] NULL, LIKE and parentheses. Anything else (casts, functions, engine-specific
 * operators) is carried only between databases of the same engine, and reported as not carried otherwise.
 */
export function isPortableCheck(expression: string): boolean {
  const tokens = expression.match(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|<>|<=|>=|!=|\|\||\S/g) ?? [];
  const words = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'BETWEEN', 'LIKE', 'TRUE', 'FALSE']);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (/^'|^"|^\d/.test(t)) continue;
    if (/^[A-Za-z_]/.test(t)) {
      // A bare word followed by "(" is a function call.
      if (tokens[i + 1] === '(' && !words.has(t.toUpperCase())) return false;
      continue;
    }
    if (!['(', ')', ',', '=', '<', '>', '<=', '>=', '<>', '!=', '+', '-', '*', '/'].includes(t)) return false;
  }
  return true;
}
