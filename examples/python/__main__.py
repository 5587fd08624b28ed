"""A WebServer with a ClusterIP Service on port 8080, from the component's generated Python SDK."""

import pulumi
import pulumi_webserver_sidecar as webserver_sidecar

# Unset, the objects go to the provider's namespace (the kubeconfig context's, else "default").
namespace = pulumi.Config().get("namespace")

web = webserver_sidecar.WebServer(
    "web",
    namespace=namespace,
    service={"type": webserver_sidecar.ServiceType.CLUSTER_IP, "port": 8080},
    # One JSON object per access line, which a log pipeline parses without a regex.
    access_log_format=webserver_sidecar.AccessLogFormat.JSON,
)

pulumi.export("podName", web.pod_name)
pulumi.export("serviceName", web.service_name)
