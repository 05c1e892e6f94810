package dev.infobus.bench.streams;

import com.google.protobuf.InvalidProtocolBufferException;
import infobus.common.v1.EventOuterClass.Event;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Parses each record's value as an {@code infobus.common.v1.Event} and carries it on with its event
 * time ({@code occurred_at}) as the record's timestamp, so windows are in event time as judgment's
 * are. A record that is not an Event is counted and dropped (judgment dead-letters it; the bench
 * sends none).
 */
final class EventDecoder implements Processor<String, byte[], String, Event> {
  private ProcessorContext<String, Event> context;
  private long undecodable;

  @Override
  public void init(ProcessorContext<String, Event> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    Event event;
    try {
      event = Event.parseFrom(record.value());
    } catch (InvalidProtocolBufferException e) {
      if (++undecodable % 1000 == 1) System.err.println("[streams-bench] not an Event: " + e);
      return;
    }
    long millis =
        event.getOccurredAt().getSeconds() * 1000 + event.getOccurredAt().getNanos() / 1_000_000;
    context.forward(record.withValue(event).withTimestamp(millis));
  }
}
