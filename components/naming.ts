/**
 * How the component names its children and labels its objects, in one place so that the Pod's
 * labels and the Service's selector can never drift apart.
 */

/**
 * The Pulumi resource name of a child: the component's name and the child's role.
 * Prefixing keeps two WebServers in one stack from colliding.
 * @example childName("web", "pod") === "web-pod"
 */
export function childName(componentName: string, role: string): string {
    return `${componentName}-${role}`;
}

/** The recommended label naming the application: the same on every WebServer's objects. */
export const NAME_LABEL = "app.kubernetes.io/name";
/** The recommended label naming the instance: what tells two WebServers apart. */
export const INSTANCE_LABEL = "app.kubernetes.io/instance";
/** The value of {@link NAME_LABEL}. */
export const APP_NAME = "webserver-sidecar";

/**
 * The labels the Service and the NetworkPolicy select on, and that every object of the instance
 * carries: the application's name and the instance's, so that each WebServer selects its own Pod
 * and no other (not another WebServer's, nor any Pod that happens to be labelled `app: webserver`).
 * @param instance the instance's name: its `podName`, or the component's name under auto-naming.
 */
export function selectorLabelsFor(instance: string): Record<string, string> {
    return { [NAME_LABEL]: APP_NAME, [INSTANCE_LABEL]: instance };
}

/** The same entries, in key order: the same labels or annotations always render the same spec. */
export function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
