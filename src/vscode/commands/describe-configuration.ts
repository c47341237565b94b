// A one-line, human summary of a normalized configuration: what "dstack: Apply" would apply.

type Fields = Record<string, unknown>;

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

function range(value: unknown, unit = ''): string | undefined {
  const r = fields(value);
  if (!r) return typeof value === 'number' ? `${value}${unit}` : undefined;
  const min = typeof r['min'] === 'number' ? `${r['min']}${unit}` : '';
  const max = typeof r['max'] === 'number' ? `${r['max']}${unit}` : '';
  if (!min && !max) return undefined;
  return min === max ? min : `${min}..${max}`;
}

function gpu(value: unknown): string | undefined {
  const g = fields(value);
  if (!g) return undefined;
  const names = Array.isArray(g['name']) ? g['name'].join(',') : g['vendor'];
  const parts = [typeof names === 'string' && names ? names : 'any', range(g['memory'], 'GB'), range(g['count'])];
  return `gpu ${parts.filter(Boolean).join(':')}`;
}

/** Describes a configuration, e.g. `dev-environment "vscode" (ide vscode; gpu A100:80GB:1, cpu 2.., memory 8GB..)`. */
export function describeConfiguration(configuration: unknown): string {
  const c = fields(configuration);
  if (!c) return 'an empty configuration';
  const type = typeof c['type'] === 'string' ? c['type'] : 'configuration';
  const name = typeof c['name'] === 'string' ? ` "${c['name']}"` : '';
  const details: string[] = [];
  if (typeof c['ide'] === 'string') details.push(`ide ${c['ide']}`);
  if (typeof c['image'] === 'string') details.push(`image ${c['image']}`);
  const resources = fields(c['resources']);
  if (resources) {
    const g = gpu(resources['gpu']);
    if (g) details.push(g);
    const cpu = range(fields(resources['cpu'])?.['count'] ?? resources['cpu']);
    if (cpu) details.push(`cpu ${cpu}`);
    const memory = range(resources['memory'], 'GB');
    if (memory) details.push(`memory ${memory}`);
  }
  return `${type}${name}${details.length ? ` (${details.join('; ')})` : ''}`;
}
