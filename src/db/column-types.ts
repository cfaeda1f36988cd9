/** Column types shared by the table groups (db/tables/): how jsonb, defaults and timestamps read and write. */
import type { ColumnType } from 'kysely';

/** jsonb: written as a JSON string (see `json()`), read back parsed. */
export type Json<T> = ColumnType<T, string, string>;
/** jsonb with a database default: optional on insert. */
export type JsonDefault<T> = ColumnType<T, string | undefined, string>;
/** A column with a database default: optional on insert. */
export type Default<T> = ColumnType<T, T | undefined, T>;
export type CreatedAt = ColumnType<Date, Date | undefined, never>;
export type Timestamp = ColumnType<Date, Date, Date>;
export type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

export const json = (value: unknown): string => JSON.stringify(value ?? null);
