// Command sdkgen writes the Python or Go SDK of a Pulumi package from its schema, with the code
// generators of the Pulumi CLI (github.com/pulumi/pulumi/pkg/v3/codegen/python and codegen/go, at
// the CLI's version): what `pulumi package gen-sdk --language python|go` does through the
// language host, which this project's toolchain cannot do (its language hosts, v3.68.0 and
// v3.66.0, answer GeneratePackage with "not implemented"). The schemas of the packages it refers
// to (kubernetes, for the component's outputs) are read from files: nothing is started or downloaded.
//
// Usage: sdkgen [-language python|go] -schema plugin/schema.json -dependency kubernetes.json -out DIR
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// dependencies is a schema loader holding the packages given on the command line, by name.
type dependencies map[string]schema.PackageReference

func (d dependencies) LoadPackageReference(name string, version *semver.Version) (schema.PackageReference, error) {
	ref, ok := d[name]
	if !ok {
		return nil, fmt.Errorf("the schema refers to package %q: pass its schema with -dependency", name)
	}
	if version != nil && ref.Version() != nil && !version.EQ(*ref.Version()) {
		return nil, fmt.Errorf("the schema refers to %s %v, and -dependency gave %v", name, version, ref.Version())
	}
	return ref, nil
}

func (d dependencies) LoadPackageReferenceV2(_ context.Context, descriptor *schema.PackageDescriptor) (schema.PackageReference, error) {
	return d.LoadPackageReference(descriptor.Name, descriptor.Version)
}

func (d dependencies) LoadPackage(name string, version *semver.Version) (*schema.Package, error) {
	ref, err := d.LoadPackageReference(name, version)
	if err != nil {
		return nil, err
	}
	return ref.Definition()
}

func (d dependencies) LoadPackageV2(ctx context.Context, descriptor *schema.PackageDescriptor) (*schema.Package, error) {
	return d.LoadPackage(descriptor.Name, descriptor.Version)
}

// repeated collects a flag given several times.
type repeated []string

func (r *repeated) String() string     { return fmt.Sprint(*r) }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func readSpec(path string) (schema.PackageSpec, error) {
	var spec schema.PackageSpec
	data, err := os.ReadFile(path)
	if err != nil {
		return spec, err
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		return spec, fmt.Errorf("%s: %w", path, err)
	}
	return spec, nil
}

func run() error {
	var schemaPath, out, language string
	var dependencyPaths repeated
	flag.StringVar(&language, "language", "python", "the SDK's language: python or go")
	flag.StringVar(&schemaPath, "schema", "", "the package's schema (JSON)")
	flag.Var(&dependencyPaths, "dependency", "the schema (JSON) of a package it refers to; repeatable")
	flag.StringVar(&out, "out", "", "the directory to write the SDK into (emptied first)")
	flag.Parse()
	if schemaPath == "" || out == "" {
		return fmt.Errorf("usage: sdkgen [-language python|go] -schema FILE [-dependency FILE]... -out DIR")
	}

	loader := dependencies{}
	for _, path := range dependencyPaths {
		spec, err := readSpec(path)
		if err != nil {
			return err
		}
		pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if diags.HasErrors() {
			return fmt.Errorf("%s: %v", path, diags)
		}
		loader[pkg.Name] = pkg.Reference()
	}
	spec, err := readSpec(schemaPath)
	if err != nil {
		return err
	}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s: %v", schemaPath, diags)
	}
	// As `pulumi package add` generates a local SDK: for Go, its own module (go.mod) with the
	// package in a folder of it.
	pkg.SupportPack = true
	var files map[string][]byte
	switch language {
	case "python":
		files, err = python.GeneratePackage("sdkgen", pkg, nil, loader)
	case "go":
		files, err = gogen.GeneratePackage("sdkgen", pkg, nil)
	default:
		err = fmt.Errorf("-language %q: python or go", language)
	}
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	for name, data := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}
