// Lists the public functions, classes and public methods of each library (what its src/index.ts exports)
// whose TSDoc has no @example. Exits 1 when any is missing. Usage: node scripts/check-tsdoc.mjs [package ...]
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : readdirSync("packages");
const missing = [];
let checked = 0;

const hasExample = (node) => ts.getJSDocTags(node).some((tag) => tag.tagName.text === "example");

for (const name of names) {
  const entry = join("packages", name, "src", "index.ts");
  if (!existsSync(entry)) continue;
  const program = ts.createProgram([entry], {
    allowImportingTsExtensions: true,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    customConditions: ["@botmm/source"],
    target: ts.ScriptTarget.ES2023,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const declaration of symbol.declarations ?? []) {
      if (!declaration.getSourceFile().fileName.includes(`packages/${name}/src/`)) continue;
      const where = `@botmm/${name} ${exported.name}`;
      if (ts.isFunctionDeclaration(declaration)) {
        checked++;
        if (!hasExample(declaration)) missing.push(where);
      } else if (ts.isClassDeclaration(declaration)) {
        checked++;
        if (!hasExample(declaration)) missing.push(where);
        for (const member of declaration.members) {
          if (!ts.isMethodDeclaration(member) || !member.name || ts.isPrivateIdentifier(member.name))
            continue;
          const modifiers = ts.getCombinedModifierFlags(member);
          if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
          checked++;
          // A method is documented by its own example or, for small classes, by the class example naming it.
          const classText = ts
            .getJSDocCommentsAndTags(declaration)
            .map((doc) => doc.getText())
            .join("\n");
          if (!hasExample(member) && !classText.includes(`.${member.name.getText()}(`)) {
            missing.push(`${where}.${member.name.getText()}`);
          }
        }
      }
    }
  }
}
for (const item of missing) console.log(`no @example: ${item}`);
console.log(
  `tsdoc: ${checked - missing.length} of ${checked} public functions, classes and methods have an @example`,
);
process.exit(missing.length > 0 ? 1 : 0);
