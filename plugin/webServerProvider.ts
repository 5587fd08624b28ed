/**
 * The plugin's provider: Pulumi's ComponentProvider for the WebServer, serving the analyzer's
 * schema with the refinements of schemaRefinements.ts. `componentProviderHost` would build a plain
 * ComponentProvider; the plugin (index.ts) and scripts/pluginSchema.ts build this one instead.
 */
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { refineSchema } from "./schemaRefinements";

/** A ComponentProvider whose schema carries {@link refineSchema}'s changes. */
export class WebServerProvider extends ComponentProvider {
    private refinedSchema: string | undefined;

    /** The schema as every language's SDK is generated from it: the analyzer's, refined. */
    override async getSchema(): Promise<string> {
        this.refinedSchema ??= JSON.stringify(refineSchema(JSON.parse(await super.getSchema()) as object));
        return this.refinedSchema;
    }
}
