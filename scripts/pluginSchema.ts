/**
 * The plugin's schema (plugin/schema.json): what `pulumi package get-schema` of the plugin returns,
 * and what `pulumi package add` generates every language's SDK from. It is generated exactly as the
 * plugin serves it: Pulumi's component analyzer on plugin/ (its package.json, tsconfig.json and
 * index.ts, which imports ../components), through the same provider class (WebServerProvider,
 * Pulumi's ComponentProvider with the schema refined) that the plugin serves. test/pluginSchema.test.ts fails when the committed file and the
 * TypeScript arguments differ.
 *
 * Usage: `npx ts-node --transpile-only scripts/pluginSchema.ts` (re)writes plugin/schema.json.
 */
import * as fs from "fs";
import * as path from "path";
import { WebServer } from "../components";
import { WebServerProvider } from "../plugin/webServerProvider";

/** The plugin's directory. */
export const PLUGIN_DIRECTORY = path.join(__dirname, "..", "plugin");
/** The committed schema. */
export const SCHEMA_FILE = path.join(PLUGIN_DIRECTORY, "schema.json");
/** The package name the plugin serves (plugin/index.ts), the first part of its type tokens. */
export const PACKAGE_NAME = "webserver-sidecar";

/** A Pulumi package schema, as far as this project reads it. */
export interface PackageSchema {
    readonly name: string;
    readonly version: string;
    readonly resources: Record<string, ResourceSchema>;
    readonly types: Record<string, TypeSchema>;
    readonly [key: string]: unknown;
}

/** One property of a resource or an object type. */
export interface PropertySchema {
    readonly type?: string;
    readonly $ref?: string;
    readonly plain?: boolean;
    readonly description?: string;
    readonly [key: string]: unknown;
}

/** A resource (here, the component): its outputs and its inputs. */
export interface ResourceSchema {
    readonly description?: string;
    readonly properties: Record<string, PropertySchema>;
    readonly inputProperties: Record<string, PropertySchema>;
    readonly required?: string[];
}

/** An object type (its properties) or an enum (its values). */
export interface TypeSchema {
    readonly type: string;
    readonly properties?: Record<string, PropertySchema>;
    readonly enum?: { readonly value: string | number; readonly name?: string; readonly description?: string }[];
    readonly [key: string]: unknown;
}

/**
 * Generates the schema the plugin serves, as the Pulumi CLI hands it on (`pulumi package
 * get-schema`, and to the SDK generators), from the current source. A few seconds: the analyzer
 * builds a TypeScript program of the component and the SDKs' declarations.
 */
export async function generatePluginSchema(): Promise<PackageSchema> {
    const provider = new WebServerProvider({ components: [WebServer], name: PACKAGE_NAME, dirname: PLUGIN_DIRECTORY });
    return asTheCliPrintsIt(JSON.parse(await provider.getSchema()) as Record<string, unknown>);
}

/**
 * The provider's schema as the CLI prints it: the CLI reads it into its own schema type and writes
 * that out, which drops what that type does not hold (the analyzer's `optional` on each property),
 * omits empty `required` and `requiredInputs` lists, and always has a `config` object. The e2e test
 * of the YAML example compares this with `pulumi package get-schema` of the plugin.
 */
export function asTheCliPrintsIt(raw: Record<string, unknown>): PackageSchema {
    type Loose = Record<string, unknown>;
    const withoutOptional = (properties: unknown): Loose | undefined => properties === undefined ? undefined
        : Object.fromEntries(Object.entries(properties as Record<string, Loose>).map(([name, { optional: _optional, ...property }]) => [name, property]));
    const clean = (entity: Loose): Loose => {
        const result: Loose = { ...entity };
        for (const key of ["properties", "inputProperties"]) {
            if (result[key] !== undefined) {
                result[key] = withoutOptional(result[key]);
            }
        }
        for (const key of ["required", "requiredInputs"]) {
            if (Array.isArray(result[key]) && (result[key] as unknown[]).length === 0) {
                delete result[key];
            }
        }
        return result;
    };
    const mapValues = (entities: unknown) => Object.fromEntries(Object.entries((entities ?? {}) as Record<string, Loose>).map(([token, entity]) => [token, clean(entity)]));
    return { ...raw, config: raw.config ?? {}, resources: mapValues(raw.resources), types: mapValues(raw.types) } as unknown as PackageSchema;
}

/** Renders a schema as the committed file holds it: two-space JSON and a final newline. */
export function formatSchema(schema: PackageSchema): string {
    return `${JSON.stringify(schema, null, 2)}\n`;
}

if (require.main === module) {
    generatePluginSchema().then((schema) => {
        fs.writeFileSync(SCHEMA_FILE, formatSchema(schema));
        console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}: ${Object.keys(schema.resources).join(", ")}`);
    }).catch((error: unknown) => {
        console.error(error);
        process.exit(1);
    });
}
