"""kafkagen: generates the kgw C codec from Apache Kafka's message schemas."""
