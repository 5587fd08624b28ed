/**
 * Where a benchmark's figures live: bench/results/NAME.md (its tables, which the docs link to) and
 * bench/results/NAME.json (the data they were made from).
 */
import * as fs from "fs";
import * as path from "path";

/**
 * Prints the table, then writes it and the data to bench/results/.
 * @param indent the JSON's indentation; 0 for none (a large file, as the shipping samples).
 */
export function writeResults(name: string, table: string, data: unknown, indent = 2): void {
    console.log(table);
    const out = path.join(__dirname, "results");
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, `${name}.md`), `${table}\n`);
    fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify(data, null, indent));
}
