// Reads AWS's shared credentials and config files (INI): `[section]`, `key = value`, `#`/`;`
// comment lines. Indented lines are nested values (`s3 =` blocks) that no setting here uses.

export type IniSections = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function parseIni(text: string): IniSections {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    if (/^\s/.test(rawLine)) continue;
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]*)\]$/.exec(line);
    if (header !== null) {
      const name = header[1]!.trim();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const equals = line.indexOf('=');
    // Lines outside a section or without `=` mean nothing to AWS's tools either.
    if (current === undefined || equals <= 0) continue;
    current.set(line.slice(0, equals).trim(), line.slice(equals + 1).trim());
  }
  return sections;
}

/** The section of `profile` in the config file: `[default]` or `[profile NAME]`. */
export function configProfileSection(
  sections: IniSections,
  profile: string,
): ReadonlyMap<string, string> | undefined {
  if (profile === 'default') return sections.get('default') ?? sections.get('profile default');
  return sections.get(`profile ${profile}`);
}
