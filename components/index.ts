/** The public surface of the component library: what another Pulumi program imports. */
export { WebServer, WEB_SERVER_TYPE } from "./webServer";
export {
    DEFAULTS, SERVICE_TYPES, SIDECAR_MODES, resolveArgs,
    PlainWebServerArgs, ResolvedNetworkPolicy, ResolvedService, ResolvedWebServerArgs, ServiceArgs, ServiceType, SidecarMode, WebServerArgs,
} from "./args";
export { NetworkPeer, ResolvedNetworkPeer } from "./allowFrom";
export { ContainerResourcesArgs, ResourcesArgs, TolerationArgs, TolerationEffect, TolerationOperator } from "./podSettings";
export { ConfigProblem, WebServerConfigError } from "./errors";
export { buildPodSpec, LOG_DIRECTORY, NGINX_CONTAINER, NGINX_PORT, SHARED_LOGS_VOLUME, SIDECAR_CONTAINER } from "./podSpec";
export { buildServiceSpec } from "./serviceSpec";
export { buildNetworkPolicySpec } from "./networkPolicySpec";
export {
    DeploymentPodsReader, ListedObject, LiveDeployment, PodListingWait, RolloutState, listDeploymentPodNames, rolloutState,
} from "./deploymentPods";
