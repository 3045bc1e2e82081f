// The QazBus ActivitySource and Meter are process-wide: a MeterProvider or TracerProvider of one test's host also
// sees what another test's hosts do at the same time. Tests in this assembly run one after another so that the
// counts and traces they assert are their own. (Other test assemblies run in their own processes.)
[assembly: CollectionBehavior(DisableTestParallelization = true)]
