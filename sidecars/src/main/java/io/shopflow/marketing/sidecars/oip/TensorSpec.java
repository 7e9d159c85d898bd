package io.shopflow.marketing.sidecars.oip;

/** Name, datatype and shape of a model's input or output; -1 is a variable dimension. */
public record TensorSpec(String name, String datatype, long[] shape) {}
