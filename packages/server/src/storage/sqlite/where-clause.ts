// Builds the WHERE clause of a filtered listing from fixed SQL fragments and bound parameters.
// Column names come from the code, values only ever travel as parameters.

export type SqlValue = string | number | null;

export class WhereClause {
  private readonly conditions: string[] = [];
  readonly params: SqlValue[] = [];

  /** Adds a condition with its `?` parameters, in order. */
  and(condition: string, ...params: readonly SqlValue[]): this {
    this.conditions.push(condition);
    this.params.push(...params);
    return this;
  }

  /** Adds `column = value` unless the filter leaves it out. */
  equals(column: string, value: string | number | undefined): this {
    return value === undefined ? this : this.and(`${column} = ?`, value);
  }

  /**
   * Adds `column IN values` unless the filter leaves it out. An empty list matches nothing: the
   * caller asked for members of an empty set. The list travels as one JSON parameter, so the
   * statement text does not grow with it.
   */
  in(column: string, values: readonly string[] | undefined): this {
    if (values === undefined) return this;
    return this.and(`${column} IN (SELECT value FROM json_each(?))`, JSON.stringify(values));
  }

  /** Adds `column NOT IN values` unless the filter leaves it out (an empty list excludes none). */
  notIn(column: string, values: readonly string[] | undefined): this {
    if (values === undefined || values.length === 0) return this;
    return this.and(`${column} NOT IN (SELECT value FROM json_each(?))`, JSON.stringify(values));
  }

  toString(): string {
    return this.conditions.length === 0 ? '' : `WHERE ${this.conditions.join(' AND ')}`;
  }
}
