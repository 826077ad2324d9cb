/**
 * dynalite ships no types: the part of its API the project uses (a factory returning an
 * `http.Server` that speaks the DynamoDB API; https://github.com/architect/dynalite#usage).
 */
declare module 'dynalite' {
  import type { Server } from 'http';

  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
