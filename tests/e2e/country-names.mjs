#!/usr/bin/env node
// Writes src/widget/names.rs: the country menu's names in zh-CN and English, each list in the
// order its locale's collator gives (Intl.DisplayNames and Intl.Collator of headless Chromium,
// the names Chromium showed when the form asked Intl at run time), so that the form's first
// render needs no Intl at all (the first Intl constructor of a page costs Chromium ~20 ms).
// Then checks that Firefox's collator orders both lists the same (tests/wasm/widget.rs checks
// it again in each browser it runs in). Run from tests/e2e: `node country-names.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const countries = readFileSync(`${root}src/countries.rs`, 'utf8');
const codes = countries.match(/const CODES: &str = "\\\n([\s\S]*?)";/)[1].replace(/\\\n/g, ' ').trim().split(/\s+/);
if (codes.length !== 249) throw new Error(`src/countries.rs: ${codes.length} codes`);
const LOCALES = [['EN', 'en'], ['ZH_CN', 'zh-CN']];

/** In the page: `[name, code]` of every code, sorted by name with the locale's collator (stable). */
function named(codes, tag) {
  const dn = new Intl.DisplayNames([tag], { type: 'region' });
  const col = new Intl.Collator([tag]);
  return codes.map((c) => [dn.of(c) || c, c]).sort((a, b) => col.compare(a[0], b[0]));
}
/** In the page: whether the collator keeps `list` (sorted pairs) in its order. */
function ordered(list, tag) {
  const col = new Intl.Collator([tag]);
  return list.every((x, i) => i === 0 || col.compare(list[i - 1][0], x[0]) <= 0);
}

const b = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox'] });
const page = await (await b.newContext()).newPage();
const tables = {};
for (const [, tag] of LOCALES) tables[tag] = await page.evaluate(([c, t, f]) => new Function(`return (${f})`)()(c, t), [codes, tag, named.toString()]);
const version = b.version();
await b.close();
for (const [, tag] of LOCALES) {
  for (const [name] of tables[tag]) if (/[\n\0]/.test(name) || !name) throw new Error(`${tag}: bad name ${JSON.stringify(name)}`);
}

const firefox = process.env.FIREFOX || execFileSync('sh', ['-c', 'command -v firefox-esr || command -v firefox']).toString().trim();
const f = await puppeteer.launch({ browser: 'firefox', headless: true, executablePath: firefox, protocol: 'webDriverBiDi' });
const fp = await f.newPage();
for (const [, tag] of LOCALES) {
  const same = await fp.evaluate((l, t, fn) => new Function(`return (${fn})`)()(l, t), tables[tag], tag, ordered.toString());
  if (!same) throw new Error(`Firefox's collator orders the ${tag} list differently`);
}
await f.close();

const rust = (s) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
let out = `//! Country names for the menu, written by \`tests/e2e/country-names.mjs\` (Chromium ${version}'s
//! \`Intl.DisplayNames\`, ordered by its \`Intl.Collator\`; Firefox's collator gives the same order):
//! do not edit by hand. One line per country, the code then the name, in the locale's order.\n`;
for (const [name, tag] of LOCALES) {
  out += `\n/// ${tag}\npub(super) const ${name}: &str = "\\\n${tables[tag].map(([n, c]) => `${c}${rust(n)}`).join('\\n\\\n')}";\n`;
}
writeFileSync(`${root}src/widget/names.rs`, out);
console.log(`src/widget/names.rs: ${codes.length} countries in ${LOCALES.map(([, t]) => t).join(', ')} (Chromium ${version})`);
