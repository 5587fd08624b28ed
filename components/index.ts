/** The public surface of the component library: what another Pulumi program imports. */
export { WebServer, WEB_SERVER_TYPE } from "./webServer";
export {
    ContainerResourcesArgs, DEFAULTS, ResourcesArgs, SERVICE_TYPES, SIDECAR_MODES, TolerationArgs, resolveArgs,
    PlainWebServerArgs, ResolvedNetworkPolicy, ResolvedService, ResolvedWebServerArgs, Service, ServiceArgs, ServiceType, SidecarMode, UID_ASSIGNMENTS, UidAssignment, WebServerArgs,
} from "./args";
export { Autoscaling, ResolvedAutoscaling } from "./autoscaling";
export { HttpRoute, Ingress, ResolvedHttpRoute, ResolvedIngress, ResolvedRoutes, RouteController, RouteParent } from "./routes";
export { ContentFrom, ResolvedContentFrom } from "./contentFrom";
export { NetworkPeer, ResolvedNetworkPeer } from "./allowFrom";
export { ContainerResources, Resources, Toleration, TolerationEffect, TolerationOperator } from "./podSettings";
export { AccessLogFormat } from "./accessLog";
export { ConfigProblem, WebServerConfigError } from "./errors";
export { NGINX_LAYOUT_CONTAINER } from "./nginxLayout";
export { buildPodSpec, LOG_DIRECTORY, NGINX_CONTAINER, NGINX_PORT, SHARED_LOGS_VOLUME, SIDECAR_CONTAINER } from "./podSpec";
export { buildServiceSpec } from "./serviceSpec";
export { buildNetworkPolicySpec } from "./networkPolicySpec";
export {
    OWNER_ANNOTATION, ComponentObject, LiveMetadata, StackIdentity, StackMetadata, componentObjects, currentStack, ownerAnnotations, ownerOf, ownershipProblem,
} from "./ownership";
export {
    DeploymentPodsReader, ListedObject, LiveDeployment, PodListingWait, RolloutState, listDeploymentPodNames, rolloutState,
} from "./deploymentPods";
