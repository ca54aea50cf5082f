#!/usr/bin/env python3
"""Produces one GenerationEvent the way a non-Ballast service would: Confluent's Python client
registers (looks up) the schema, Apache Avro encodes the record, confluent_kafka produces it.

Usage: produce_generation.py BOOTSTRAP REGISTRY_URL MODEL_ID CONTEXT
"""
import io
import struct
import sys
import datetime
import uuid

import avro.io
import avro.schema
from confluent_kafka import Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

TOPIC = "ballast.generations"


def main(bootstrap, registry_url, model_id, context):
    client = SchemaRegistryClient({"url": registry_url})
    schema_str = client.get_latest_version(TOPIC + "-value").schema.schema_str
    schema_id = client.register_schema(TOPIC + "-value", Schema(schema_str, "AVRO"))
    record = {
        "eventId": str(uuid.uuid4()), "generatorId": "python-service", "modelId": model_id, "modelVersion": 7,
        "promptId": "external", "contextKey": context, "context": {"source": "python"},
        "promptText": "Write a short bio of a lawyer.",
        "steeringTokens": None,
        "responseText": "Priya is an Asian American lawyer. She is proud of her career.",
        "promptTokens": 8, "responseTokens": 14,
        "sampling": {"temperature": 0.7, "topK": 40, "topP": 0.9, "seed": None},
        "producedAt": datetime.datetime.now(datetime.timezone.utc), "latencyMs": 12,
    }
    body = io.BytesIO()
    avro.io.DatumWriter(avro.schema.parse(schema_str)).write(record, avro.io.BinaryEncoder(body))
    producer = Producer({"bootstrap.servers": bootstrap})
    producer.produce(TOPIC, key=context.encode(), value=struct.pack(">bI", 0, schema_id) + body.getvalue())
    if producer.flush(30) != 0:
        raise SystemExit("record not delivered")


if __name__ == "__main__":
    main(*sys.argv[1:5])
