#!/usr/bin/env python3
"""Reads what Ballast's Java serde wrote, with Confluent's own Python registry client, and writes
a record back the same way a Confluent producer would.

Usage: confluent_interop.py REGISTRY_URL SUBJECT JAVA_RECORD_FILE PYTHON_RECORD_OUT DECODED_JSON_OUT
Exit 0 on success; any mismatch raises, so the Java test that runs this fails.
"""
import io
import json
import struct
import sys

import avro.io
import avro.schema
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient


def main(url, subject, java_file, python_out, decoded_out):
    client = SchemaRegistryClient({"url": url})

    # the schema Ballast registered, through Confluent's client
    latest = client.get_latest_version(subject)
    assert latest.subject == subject, latest.subject
    assert latest.schema.schema_type in (None, "AVRO"), latest.schema.schema_type

    with open(java_file, "rb") as f:
        data = f.read()
    magic, schema_id = struct.unpack(">bI", data[:5])
    assert magic == 0, "magic byte %r" % magic
    assert schema_id == latest.schema_id, "header id %d, registry says %d" % (schema_id, latest.schema_id)
    by_id = client.get_schema(schema_id)
    writer = avro.schema.parse(by_id.schema_str)

    # decode after the 5-byte header, with the Apache Avro library
    record = avro.io.DatumReader(writer).read(avro.io.BinaryDecoder(io.BytesIO(data[5:])))

    # write one back: register through Confluent's client (same schema, so same id), then frame it
    record["eventId"] = record["eventId"] + "-from-python"
    record["responseText"] = "Written by Python: " + record["responseText"]
    registered_id = client.register_schema(subject, Schema(by_id.schema_str, "AVRO"))
    assert registered_id == schema_id, "re-registering gave id %d, expected %d" % (registered_id, schema_id)
    body = io.BytesIO()
    avro.io.DatumWriter(writer).write(record, avro.io.BinaryEncoder(body))
    with open(python_out, "wb") as f:
        f.write(struct.pack(">bI", 0, registered_id) + body.getvalue())

    with open(decoded_out, "w") as f:
        json.dump({"schema_id": schema_id, "version": latest.version,
                   "eventId": record["eventId"], "contextKey": record["contextKey"],
                   "steeringTokens": record["steeringTokens"], "temperature": record["sampling"]["temperature"],
                   "modelVersion": record["modelVersion"]}, f)


if __name__ == "__main__":
    main(*sys.argv[1:6])
