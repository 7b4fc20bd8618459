/**
 * A whole iCalendar or vCard text as a tree of components (BEGIN:X … END:X) and properties, each property
 * keeping its original bytes (folded lines and line break included). Serialising a tree nobody changed gives
 * back the input exactly; a change replaces only the lines it touches (`setLine`), and only those are
 * written anew (folded at 75 octets, with the text's own line break). Anything that is not a content line
 * (a blank line, stray text) is kept as it is.
 *
 * vCard 2.1 QUOTED-PRINTABLE values continue on the next line after a soft break (`=` at the end of a line,
 * with no leading space): such a property takes those lines too, and its value keeps the soft breaks
 * (`=\r\n`) for the decoder to remove.
 */
import { fold, formatLine, parseLine, paramValues, type ContentLine } from './content-lines.js';

/** A property line and the bytes it was read from. */
export interface Property {
  kind: 'property';
  line: ContentLine;
  /** The original text, folds and line break included; undefined once the line was changed. */
  raw?: string;
  /** The line break that ends it ('' for a last line without one). */
  eol: string;
}

/** A line that is not a content line (blank, or not parseable), kept byte for byte. */
export interface OtherLine {
  kind: 'other';
  raw: string;
}

/** BEGIN:NAME … END:NAME. */
export interface Component {
  kind: 'component';
  /** Upper-cased component name (VCALENDAR, VEVENT, VCARD, …). */
  name: string;
  begin: Property;
  children: Node[];
  /** Absent when the text ended before the component was closed. */
  end?: Property;
}

export type Node = Property | Component | OtherLine;

/** A parsed text: its top-level nodes (a .vcf may hold many VCARDs) and the line break it uses. */
export interface Document {
  nodes: Node[];
  /** The line break of the first line ('\r\n' when none: the standard one). */
  eol: string;
}

interface Physical {
  text: string;
  eol: string;
}

function physicalLines(text: string): Physical[] {
  const lines: Physical[] = [];
  const re = /\r\n|\n/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push({ text: text.slice(start, m.index), eol: m[0] });
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

function isQuotedPrintable(line: ContentLine): boolean {
  const enc = paramValues(line, 'ENCODING') ?? [];
  const bare = line.params.filter((p) => p.values.length === 0).map((p) => p.name);
  return [...enc, ...bare].some((v) => v.toUpperCase() === 'QUOTED-PRINTABLE');
}

/** Parse `text` into a tree; never throws (what cannot be parsed is kept as OtherLine). */
export function parseDocument(text: string): Document {
  const phys = physicalLines(text);
  const root: Node[] = [];
  const stack: Component[] = [];
  const add = (node: Node): void => {
    (stack.length > 0 ? (stack[stack.length - 1] as Component).children : root).push(node);
  };
  let i = 0;
  while (i < phys.length) {
    const first = phys[i] as Physical;
    let raw = first.text + first.eol;
    let logical = first.text;
    let eol = first.eol;
    i++;
    while (i < phys.length && /^[ \t]/.test((phys[i] as Physical).text) && eol !== '') {
      const next = phys[i] as Physical;
      raw += next.text + next.eol;
      logical += next.text.slice(1);
      eol = next.eol;
      i++;
    }
    let line = logical.trim() === '' ? undefined : parseLine(logical);
    if (line && isQuotedPrintable(line)) {
      while (line.value.endsWith('=') && i < phys.length && eol !== '') {
        const next = phys[i] as Physical;
        raw += next.text + next.eol;
        line = { ...line, value: `${line.value}${eol}${next.text}` };
        eol = next.eol;
        i++;
      }
    }
    if (!line) {
      add({ kind: 'other', raw });
      continue;
    }
    const prop: Property = { kind: 'property', line, raw, eol };
    if (line.name === 'BEGIN' && line.group === undefined) {
      const comp: Component = {
        kind: 'component',
        name: line.value.trim().toUpperCase(),
        begin: prop,
        children: [],
      };
      add(comp);
      stack.push(comp);
    } else if (line.name === 'END' && stack.some((c) => c.name === line.value.trim().toUpperCase())) {
      // Close up to the matching BEGIN: components left open inside it end without END.
      for (let top = stack.pop(); top; top = stack.pop()) {
        if (top.name === line.value.trim().toUpperCase()) {
          top.end = prop;
          break;
        }
      }
    } else {
      add(prop);
    }
  }
  const eol = phys.find((p) => p.eol !== '')?.eol ?? '\r\n';
  return { nodes: root, eol };
}

/** A property's text: its original bytes, or its new line folded and ended with its line break. */
export function propertyText(prop: Property, eol: string): string {
  return prop.raw ?? fold(formatLine(prop.line), eol) + (prop.eol === '' ? '' : eol);
}

function nodeText(node: Node, eol: string): string {
  if (node.kind === 'other') return node.raw;
  if (node.kind === 'property') return propertyText(node, eol);
  return (
    propertyText(node.begin, eol) +
    node.children.map((n) => nodeText(n, eol)).join('') +
    (node.end ? propertyText(node.end, eol) : '')
  );
}

/** The text of a tree: the original bytes wherever nothing changed. */
export function serialiseDocument(doc: Document): string {
  return doc.nodes.map((n) => nodeText(n, doc.eol)).join('');
}

/** The text of one component (for a .vcf holding many cards, one card). */
export function serialiseComponent(comp: Component, eol: string): string {
  return nodeText(comp, eol);
}

/** Replace a property's line; only this line is written anew. */
export function setLine(prop: Property, line: ContentLine): void {
  prop.line = line;
  delete prop.raw;
}

/** A new property (to insert into a component's children), ended with `eol`. */
export function newProperty(line: ContentLine, eol: string): Property {
  return { kind: 'property', line, eol };
}

/** Direct child components of `nodes` (or a component), optionally only those named `name`. */
export function childComponents(parent: Component | Node[], name?: string): Component[] {
  const nodes = Array.isArray(parent) ? parent : parent.children;
  const upper = name?.toUpperCase();
  return nodes.filter(
    (n): n is Component => n.kind === 'component' && (upper === undefined || n.name === upper),
  );
}

/** Direct properties of a component, optionally only those named `name`. */
export function childProperties(parent: Component, name?: string): Property[] {
  const upper = name?.toUpperCase();
  return parent.children.filter(
    (n): n is Property => n.kind === 'property' && (upper === undefined || n.line.name === upper),
  );
}

/** Every property in `nodes` and below, depth first, in text order. */
export function* allProperties(nodes: Node[]): Generator<Property> {
  for (const node of nodes) {
    if (node.kind === 'property') yield node;
    else if (node.kind === 'component') yield* allProperties(node.children);
  }
}
