import pg from 'pg';

// int8 (20) and numeric (1700, what SUM(bigint) returns) become BigInt: money never passes through
// a float. Only integer numerics are stored by saoma; a fractional one fails loudly here.
const INT8_OID = 20;
const NUMERIC_OID = 1700;

export const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => BigInt(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;
