/**
 * The Pod Security Standards' `restricted` profile (which includes `baseline`), as Kubernetes 1.36's
 * Pod Security Admission checks it at version `latest` (k8s.io/pod-security-admission v0.36.3,
 * policy/check_*.go): every control, on every field it names. Pure: a Pod's spec and annotations in,
 * one message per violation out.
 *
 * Nothing is left to the namespace's admission, and two things are stricter than it:
 *   - Windows Pods (`spec.os.name: windows`) get no exemption from the Linux-only controls (the
 *     WebServer's Pod runs on Linux);
 *   - a Pod in a user namespace (`hostUsers: false`) is held to runAsNonRoot, runAsUser and
 *     procMount all the same (admission relaxes those three for it since 1.33/1.35).
 */

/** The parts of a probe or lifecycle handler that can name a host. */
interface Handler {
    httpGet?: { host?: string };
    tcpSocket?: { host?: string };
}

/** The parts of a (regular, init or ephemeral) container these checks read. */
export interface RestrictedContainer {
    name?: string;
    ports?: { hostPort?: number }[];
    readinessProbe?: Handler;
    livenessProbe?: Handler;
    startupProbe?: Handler;
    lifecycle?: { postStart?: Handler; preStop?: Handler };
    securityContext?: SecurityContext & {
        privileged?: boolean;
        allowPrivilegeEscalation?: boolean;
        capabilities?: { drop?: string[]; add?: string[] };
        procMount?: string;
    };
}

/** The settings a Pod and its containers share (a container's override the Pod's). */
interface SecurityContext {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type?: string };
    appArmorProfile?: { type?: string };
    seLinuxOptions?: { type?: string; user?: string; role?: string };
    windowsOptions?: { hostProcess?: boolean };
}

/** The parts of a Pod spec these checks read. */
export interface RestrictedPodSpec {
    containers?: RestrictedContainer[];
    initContainers?: RestrictedContainer[];
    ephemeralContainers?: RestrictedContainer[];
    volumes?: ({ name?: string } & Record<string, unknown>)[];
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    securityContext?: SecurityContext & { sysctls?: { name?: string }[] };
}

/** Volume types the restricted profile allows (check_restrictedVolumes.go). */
export const ALLOWED_VOLUME_TYPES: readonly string[] = [
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret",
];

/** The "safe" sysctls, namespaced to the Pod (check_sysctls.go, 1.32+). */
export const SAFE_SYSCTLS: readonly string[] = [
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
];

/** SELinux types a container may run as (check_seLinuxOptions.go, 1.31+); unset is allowed too. */
export const ALLOWED_SELINUX_TYPES: readonly string[] = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

/** Every container of the Pod: init, regular and ephemeral, which the standard all holds alike. */
function allContainers(spec: RestrictedPodSpec): RestrictedContainer[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/**
 * Each violation of the restricted profile in a Pod, naming the field (and container) and the value.
 * @param spec the Pod's spec.
 * @param annotations the Pod's annotations (the deprecated AppArmor annotations are checked too).
 */
export function restrictedProfileViolations(spec: RestrictedPodSpec, annotations: Record<string, string> = {}): string[] {
    const found: string[] = [];
    const pod = spec.securityContext ?? {};

    // Host namespaces.
    for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
        if (spec[field] === true) found.push(`${field} is true`);
    }
    // Volume types (hostPath among them).
    for (const volume of spec.volumes ?? []) {
        const types = Object.keys(volume).filter((key) => key !== "name" && volume[key] !== undefined && volume[key] !== null);
        const bad = types.filter((type) => !ALLOWED_VOLUME_TYPES.includes(type));
        if (bad.length > 0) found.push(`volume ${volume.name} is of type ${bad.join(", ")}, not one of ${ALLOWED_VOLUME_TYPES.join(", ")}`);
    }
    // Sysctls.
    for (const sysctl of pod.sysctls ?? []) {
        if (!SAFE_SYSCTLS.includes(sysctl.name ?? "")) found.push(`sysctl ${sysctl.name} is not one of the safe sysctls`);
    }
    // Pod-level settings the containers inherit.
    found.push(...securityContextViolations("pod", pod));
    for (const [key, value] of Object.entries(annotations)) {
        if (key.startsWith(APPARMOR_ANNOTATION_PREFIX) && value !== "" && value !== "runtime/default" && !value.startsWith("localhost/")) {
            found.push(`annotation ${key} is ${JSON.stringify(value)}, not runtime/default or localhost/*`);
        }
    }

    for (const c of allContainers(spec)) {
        const sc = c.securityContext ?? {};
        found.push(...securityContextViolations(String(c.name), sc));
        if (sc.privileged === true) found.push(`${c.name}: privileged`);
        if (sc.allowPrivilegeEscalation !== false) found.push(`${c.name}: allowPrivilegeEscalation is not false`);
        if (!(sc.capabilities?.drop ?? []).includes("ALL")) found.push(`${c.name}: capabilities do not drop ALL`);
        for (const added of sc.capabilities?.add ?? []) {
            if (added !== "NET_BIND_SERVICE") found.push(`${c.name}: adds capability ${added}`);
        }
        if (sc.procMount !== undefined && sc.procMount !== "Default") found.push(`${c.name}: procMount is ${sc.procMount}, not Default`);
        // Required, and inherited from the Pod unless the container sets its own: a wrong value is
        // reported where it is set (securityContextViolations), a missing one here.
        if (sc.runAsNonRoot === undefined && pod.runAsNonRoot === undefined) found.push(`${c.name}: runAsNonRoot is not set, on it or on the pod`);
        if (sc.seccompProfile?.type === undefined && pod.seccompProfile?.type === undefined) {
            found.push(`${c.name}: seccompProfile is not set (RuntimeDefault or Localhost), on it or on the pod`);
        }
        for (const port of c.ports ?? []) {
            if (port.hostPort !== undefined && port.hostPort !== 0) found.push(`${c.name}: hostPort ${port.hostPort}`);
        }
        for (const [where, handler] of [
            ["readinessProbe", c.readinessProbe], ["livenessProbe", c.livenessProbe], ["startupProbe", c.startupProbe],
            ["lifecycle.postStart", c.lifecycle?.postStart], ["lifecycle.preStop", c.lifecycle?.preStop],
        ] as const) {
            for (const kind of ["httpGet", "tcpSocket"] as const) {
                const host = handler?.[kind]?.host;
                if (host !== undefined && host !== "") found.push(`${c.name}: ${where}.${kind}.host is ${JSON.stringify(host)}`);
            }
        }
    }
    return found;
}

/** The controls a Pod's and a container's securityContext share, each judged where it is set. */
function securityContextViolations(owner: string, sc: SecurityContext): string[] {
    const found: string[] = [];
    if (sc.runAsUser === 0) found.push(`${owner}: runAsUser is 0`);
    if (sc.runAsNonRoot === false) found.push(`${owner}: runAsNonRoot is false`);
    const seccomp = sc.seccompProfile?.type;
    if (seccomp !== undefined && seccomp !== "RuntimeDefault" && seccomp !== "Localhost") found.push(`${owner}: seccompProfile is ${seccomp}`);
    const appArmor = sc.appArmorProfile?.type;
    if (appArmor !== undefined && appArmor !== "RuntimeDefault" && appArmor !== "Localhost") found.push(`${owner}: appArmorProfile is ${appArmor}, not RuntimeDefault or Localhost`);
    const seLinux = sc.seLinuxOptions;
    if (seLinux?.type !== undefined && seLinux.type !== "" && !ALLOWED_SELINUX_TYPES.includes(seLinux.type)) {
        found.push(`${owner}: seLinuxOptions.type is ${seLinux.type}, not one of ${ALLOWED_SELINUX_TYPES.join(", ")}`);
    }
    if ((seLinux?.user ?? "") !== "") found.push(`${owner}: seLinuxOptions.user is set`);
    if ((seLinux?.role ?? "") !== "") found.push(`${owner}: seLinuxOptions.role is set`);
    if (sc.windowsOptions?.hostProcess === true) found.push(`${owner}: windowsOptions.hostProcess is true`);
    return found;
}
