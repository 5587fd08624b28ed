// A WebServer with a ClusterIP Service on port 8080, from the component's generated Go SDK.
package main

import (
	"example.com/pulumi-webserver-sidecar/sdk/go/webserversidecar"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		args := &webserversidecar.WebServerArgs{
			Service: &webserversidecar.ServiceArgs{
				Type: webserversidecar.ServiceTypeClusterIP,
				Port: pulumi.Int(8080),
			},
			// One JSON object per access line, which a log pipeline parses without a regex.
			AccessLogFormat: webserversidecar.AccessLogFormatJson,
		}
		// Unset, the objects go to the provider's namespace (the kubeconfig context's, else "default").
		if namespace := config.Get(ctx, "namespace"); namespace != "" {
			args.Namespace = pulumi.String(namespace)
		}
		web, err := webserversidecar.NewWebServer(ctx, "web", args)
		if err != nil {
			return err
		}
		ctx.Export("podName", web.PodName)
		ctx.Export("serviceName", web.ServiceName)
		return nil
	})
}
