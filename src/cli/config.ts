/** Settings from the environment, with the defaults of DESIGN.md §7. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly publicUrl: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env, overrides: { port?: number } = {}): ServerConfig {
  const port = overrides.port ?? (env.PORT ? Number(env.PORT) : 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const databaseUrl = env.DATABASE_URL && env.DATABASE_URL.trim() !== '' ? env.DATABASE_URL : undefined;
  return {
    port,
    host: env.HOST ?? 'localhost',
    dataDir: env.SAOMA_DATA_DIR ?? './data',
    databaseUrl,
    publicUrl: env.SAOMA_PUBLIC_URL ?? `http://localhost:${port}`,
  };
}
