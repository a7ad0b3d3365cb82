// Reading the IAM query API's XML answers: members of a list and the text of named children.

/** The `<member>` elements of the list element named `listName`. */
export function members(root: Element, listName: string): Element[] {
  return Array.from(root.getElementsByTagName(listName)).flatMap((list) =>
    Array.from(list.children).filter((child) => child.localName === 'member'),
  );
}

/** The text of the first descendant named `name` ('' when absent). */
export function text(element: Element, name: string): string {
  return element.getElementsByTagName(name)[0]?.textContent ?? '';
}

/** IAM's form encoding of a list: `Name.member.1=…&Name.member.2=…`. */
export function memberParams(name: string, values: readonly string[]): Record<string, string> {
  return Object.fromEntries(values.map((value, i) => [`${name}.member.${String(i + 1)}`, value]));
}
