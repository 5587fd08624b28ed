import * as k8s from "@pulumi/kubernetes";
import { DEFAULTS, ResolvedWebServerArgs } from "./args";
import { PodConfigMapNames, configMapNamesFor } from "./podFiles";
import { SHIPPER_DIRECTORY, buildShipperCommand } from "./sidecar/shipperCommand";
import { SiteFile } from "./siteContent";
import { NGINX_CONF_FILE, NGINX_CONF_PATH } from "./accessLog";
import { ResolvedContentFrom } from "./contentFrom";
import { buildNginxLayoutContainer } from "./nginxLayout";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** The tutorial's names, kept so its kubectl walkthrough works as written. */
export const NGINX_CONTAINER = "nginx-container";
export const SIDECAR_CONTAINER = "sidecar-container";
export const SHARED_LOGS_VOLUME = "shared-logs";
export const LOG_DIRECTORY = "/var/log/nginx";
export const NGINX_PORT = 80;

/** nginx's document root in the image's default server: where `content` (or `contentFrom`) is mounted. */
export const DOCUMENT_ROOT = "/usr/share/nginx/html";
/** The directory of server blocks the image's nginx.conf includes: where `serverConfig` is mounted. */
export const SERVER_CONFIG_DIRECTORY = "/etc/nginx/conf.d";

/** The Pod's volumes from ConfigMaps, each mounted read-only into the one container that reads it. */
export const SHIPPER_VOLUME = "log-shipper";
export const SITE_VOLUME = "site-content";
export const SERVER_CONFIG_VOLUME = "server-config";
export const NGINX_CONFIG_VOLUME = "nginx-config";

/** Files from ConfigMaps are readable by all and writable by none: the containers only read them. */
const CONFIG_FILE_MODE = 0o444;

/**
 * The uid and gid both containers run as, unless the platform assigns them (`uidAssignment`). The sidecar must share nginx's uid to signal it (log
 * rotation) and to see which files nginx still holds open (/proc/PID/fd). Above 10000, so that it
 * is nobody's uid on the node (kube-score's container-security-context-user-group-id): nginx needs
 * no particular user, since everything it writes is in the Pod's emptyDirs.
 */
export const POD_UID = 10101;

/**
 * Writable paths nginx needs under a read-only root filesystem: its temp files
 * (/var/cache/nginx) and its pid file (/run/nginx.pid; /var/run is a link to /run in the image).
 */
export const NGINX_SCRATCH_VOLUMES = [
    { name: "nginx-cache", mountPath: "/var/cache/nginx" },
    { name: "nginx-run", mountPath: "/var/run" },
] as const;


/** The default resources of each container (`DEFAULTS.resources`, which gives the reasons); `resources` overrides them. */
export const NGINX_RESOURCES = DEFAULTS.resources.nginx;
export const SIDECAR_RESOURCES = DEFAULTS.resources.sidecar;

/**
 * What the restricted Pod Security Standard asks of each container, plus a read-only root
 * filesystem: nothing may escalate, no capability is kept.
 */
export const CONTAINER_SECURITY_CONTEXT: SecurityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
};

/**
 * The Pod's containers and settings, from resolved args. Pure: it creates nothing.
 * Lists are in a fixed order so that an unchanged stack previews no diff.
 * @param configMaps the names of the ConfigMaps the Pod mounts; by default the fixed names for
 *   `podName` (configMapNamesFor), which the component passes unless Pulumi names them.
 */
export function buildPodSpec(args: ResolvedWebServerArgs, configMaps: PodConfigMapNames = configMapNamesFor(args.podName ?? args.instance, args)): PodSpec {
    const sidecar = buildSidecarContainer(args);
    // A team's own nginx image is checked before nginx starts (nginxLayout.ts); after the native
    // sidecar, which stays the first init container, as the tests and the shipper's docs address it.
    const layoutCheck = args.nginxImageGiven ? [buildNginxLayoutContainer(args.nginxImage, nginxConfigMounts(args), CONTAINER_SECURITY_CONTEXT)] : [];
    return {
        // Native: an init container that keeps running. It starts before nginx and is stopped
        // only after nginx has exited, so nginx's last lines are shipped.
        ...(args.sidecarMode === "native"
            ? { initContainers: [{ ...sidecar, restartPolicy: "Always" }, ...layoutCheck], containers: [buildNginxContainer(args)] }
            : { ...(layoutCheck.length > 0 ? { initContainers: layoutCheck } : {}), containers: [buildNginxContainer(args), sidecar] }),
        volumes: [
            { name: SHARED_LOGS_VOLUME, emptyDir: { sizeLimit: args.logSizeLimit } },
            ...NGINX_SCRATCH_VOLUMES.map((volume) => ({ name: volume.name, emptyDir: { sizeLimit: "16Mi" } })),
            { name: SHIPPER_VOLUME, configMap: { name: configMaps.shipper, defaultMode: CONFIG_FILE_MODE } },
            ...(configMaps.site !== undefined && args.site !== undefined
                ? [{ name: SITE_VOLUME, configMap: { name: configMaps.site, defaultMode: CONFIG_FILE_MODE, items: siteItems(args.site) } }]
                : []),
            ...(args.contentFrom !== undefined ? [buildTeamSiteVolume(args.contentFrom)] : []),
            ...(configMaps.serverConfig !== undefined
                ? [{ name: SERVER_CONFIG_VOLUME, configMap: { name: configMaps.serverConfig, defaultMode: CONFIG_FILE_MODE } }]
                : []),
            ...(configMaps.nginxConfig !== undefined && args.accessLogFormat !== undefined
                ? [{ name: NGINX_CONFIG_VOLUME, configMap: { name: configMaps.nginxConfig, defaultMode: CONFIG_FILE_MODE } }]
                : []),
        ],
        // The sidecar rotates nginx's logs by sending SIGUSR1 to nginx's master: it must see it.
        // The other way round, nginx gets nothing: the shipper makes itself non-dumpable, so its
        // /proc entries and ptrace are closed to nginx's uid (docs/security.md).
        shareProcessNamespace: true,
        // Neither container talks to the Kubernetes API.
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: args.terminationGracePeriodSeconds,
        // Where the Pod may run, and with which credentials it pulls: left out unless given, so that
        // an unchanged stack's Pod spec stays exactly as it was.
        ...(args.nodeSelector !== undefined ? { nodeSelector: { ...args.nodeSelector } } : {}),
        ...(args.tolerations !== undefined ? { tolerations: args.tolerations.map((t) => ({ ...t })) } : {}),
        ...(args.affinity !== undefined ? { affinity: args.affinity } : {}),
        ...(args.imagePullSecrets !== undefined ? { imagePullSecrets: args.imagePullSecrets.map((name) => ({ name })) } : {}),
        ...(args.hostUsers !== undefined ? { hostUsers: args.hostUsers } : {}),
        securityContext: buildPodSecurityContext(args),
    };
}

/**
 * The Pod's security context. Both containers run as one uid, which rotation needs: the shipper
 * renames nginx's files and signals nginx's master (docs/shipper.md). `pinned` sets it here;
 * `platform` leaves uid, gid and fsGroup to the platform's admission, which must give every
 * container the same uid (OpenShift's MustRunAsRange does: docs/security.md). Non-root either way.
 */
export function buildPodSecurityContext(args: Pick<ResolvedWebServerArgs, "uidAssignment">): PodSecurityContext {
    return {
        runAsNonRoot: true,
        ...(args.uidAssignment === "pinned" ? { runAsUser: POD_UID, runAsGroup: POD_UID, fsGroup: POD_UID } : {}),
        seccompProfile: { type: "RuntimeDefault" },
        // Lets the non-root nginx bind port 80. The sysctl is namespaced to the Pod's network
        // and is one of the "safe" sysctls the restricted profile (and every OpenShift SCC) allows; no capability needed.
        sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: String(NGINX_PORT) }],
    };
}

/**
 * The team's ConfigMap or PersistentVolumeClaim as the site's volume: read-only, as the component
 * only serves it. A ConfigMap's keys become the files; a claim is mounted whole.
 */
export function buildTeamSiteVolume(source: ResolvedContentFrom): Volume {
    return source.kind === "configMap"
        ? { name: SITE_VOLUME, configMap: { name: source.name, defaultMode: CONFIG_FILE_MODE } }
        : { name: SITE_VOLUME, persistentVolumeClaim: { claimName: source.name, readOnly: true } };
}

/** nginx's configuration from ConfigMaps: the server block on conf.d, and nginx.conf over the image's. */
export function nginxConfigMounts(args: Pick<ResolvedWebServerArgs, "serverConfig" | "accessLogFormat">): VolumeMount[] {
    return [
        ...(args.serverConfig !== undefined ? [{ name: SERVER_CONFIG_VOLUME, mountPath: SERVER_CONFIG_DIRECTORY, readOnly: true }] : []),
        // One file over the image's nginx.conf, the rest of /etc/nginx left as the image has it.
        // A subPath mount never sees a later change of the ConfigMap: a change replaces the Pod.
        ...(args.accessLogFormat !== undefined
            ? [{ name: NGINX_CONFIG_VOLUME, mountPath: NGINX_CONF_PATH, subPath: NGINX_CONF_FILE, readOnly: true }]
            : []),
    ];
}

/** nginx from its image's default command and configuration: port 80, logs in /var/log/nginx. */
export function buildNginxContainer(args: ResolvedWebServerArgs): Container {
    return {
        name: NGINX_CONTAINER,
        image: args.nginxImage,
        ports: [{ name: "http", containerPort: NGINX_PORT, protocol: "TCP" }],
        volumeMounts: [
            { name: SHARED_LOGS_VOLUME, mountPath: LOG_DIRECTORY },
            ...NGINX_SCRATCH_VOLUMES.map((volume) => ({ name: volume.name, mountPath: volume.mountPath })),
            ...(args.site !== undefined || args.contentFrom !== undefined ? [{ name: SITE_VOLUME, mountPath: DOCUMENT_ROOT, readOnly: true }] : []),
            ...nginxConfigMounts(args),
        ],
        // Ready when it serves a page; alive while it accepts connections. A liveness probe that
        // asked for a page would restart an nginx that is merely overloaded, and make it worse.
        // The first readiness probe waits a second: at the container's start nginx is not yet
        // listening, and a probe then fails ("connection refused"), which the kubelet reports as an
        // Unhealthy event (a warning in `pulumi up`) and which leaves the Pod unready until the next
        // probe, 5 s later. A second is ample for nginx to bind, so the Pod is Ready sooner.
        readinessProbe: { httpGet: { path: args.readinessPath, port: NGINX_PORT }, initialDelaySeconds: 1, periodSeconds: 5, failureThreshold: 2 },
        livenessProbe: { tcpSocket: { port: NGINX_PORT }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 },
        resources: args.resources.nginx,
        securityContext: CONTAINER_SECURITY_CONTEXT,
    };
}

/** The log shipper, reading the shared volume and writing each log line once to its stdout. */
export function buildSidecarContainer(args: ResolvedWebServerArgs): Container {
    const { command, args: shipperArgs } = buildShipperCommand(LOG_DIRECTORY, args.logSizeLimitBytes, args.terminationGracePeriodSeconds);
    return {
        name: SIDECAR_CONTAINER,
        image: args.sidecarImage,
        command,
        args: shipperArgs,
        volumeMounts: [
            { name: SHARED_LOGS_VOLUME, mountPath: LOG_DIRECTORY },
            { name: SHIPPER_VOLUME, mountPath: SHIPPER_DIRECTORY, readOnly: true },
        ],
        resources: args.resources.sidecar,
        securityContext: CONTAINER_SECURITY_CONTEXT,
    };
}

/** The site's ConfigMap keys mapped back to their paths under the document root (a key cannot hold `/`). */
function siteItems(files: readonly SiteFile[]): { key: string; path: string }[] {
    return files.map((file) => ({ key: file.key, path: file.path }));
}
