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

/**
 * The labels of the Pod, which the Service selects on. The tutorial's `app: webserver` when the
 * Pod has its default name; the Pod's name (or, auto-named, the component's) otherwise, so that
 * each WebServer's Service selects its own Pod only.
 */
export function labelsFor(appName: string): Record<string, string> {
    return { app: appName };
}
