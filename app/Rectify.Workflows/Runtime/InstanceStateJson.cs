using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Rectify.Workflows.Runtime;

// Hand-written converters for the parts of InstanceState that every fired timer reads and writes again: the
// executions, the journal and the flow scope. The serializer's own object converter keeps a frame per object and
// allocates every name and id anew; these read the few names straight and share the short strings that repeat in
// every instance (activity ids and types, node ids, event names, outcomes, execution ids). What they write is byte for
// byte what the serializer wrote with InstanceState's options (same order, defaults left out, same escaping), but for
// the journal entries' activity, node and type: those are their execution's (JournalEntry), left out when written and
// read when an older row has them.

/// <summary>Short strings of the state shared across reads, so that each read does not allocate them again.</summary>
internal static class StateStrings
{
    // Longer ones are messages and the like, not worth sharing; the cap bounds the memory whatever the definitions hold.
    private const int MaxLength = 96;
    private const int MaxShared = 8192;
    private static readonly ConcurrentDictionary<string, string> Shared = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ByChars = Shared.GetAlternateLookup<ReadOnlySpan<char>>();
    private static int s_count;

    public static string? Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        // A UTF-8 value never has more characters than bytes, escaped or not.
        if (reader.HasValueSequence || reader.ValueSpan.Length > MaxLength)
            return reader.GetString();
        Span<char> buffer = stackalloc char[MaxLength];
        var chars = buffer[..reader.CopyString(buffer)];
        if (ByChars.TryGetValue(chars, out var shared))
            return shared;
        var text = new string(chars);
        if (Volatile.Read(ref s_count) < MaxShared && Shared.TryAdd(text, text))
            Interlocked.Increment(ref s_count);
        return text;
    }

    public const int NameBuffer = 32;

    /// <summary>
    /// Unescapes an escaped property name into <paramref name="buffer"/> (the serializer matches names unescaped;
    /// these are never written escaped) and returns its length; 0 for a name too long to be one of ours.
    /// </summary>
    public static int Unescape(ref Utf8JsonReader reader, scoped Span<byte> buffer) =>
        reader.ValueSpan.Length <= buffer.Length ? reader.CopyString(buffer) : 0;

    /// <param name="share">False for names that may be unique to an instance (a bookmark naming a child instance), which would only fill the shared set.</param>
    public static List<string>? ReadList(ref Utf8JsonReader reader, bool share)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        Expect(ref reader, JsonTokenType.StartArray);
        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            list.Add((share ? Read(ref reader) : reader.GetString())!);
        return list;
    }

    public static void WriteList(Utf8JsonWriter writer, JsonEncodedText name, List<string>? list)
    {
        if (list is null)
            return;
        writer.WriteStartArray(name);
        foreach (var item in list)
            writer.WriteStringValue(item);
        writer.WriteEndArray();
    }

    public static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (reader.TokenType != token)
            throw new JsonException($"Workflow instance state: expected {token}, found {reader.TokenType}.");
    }

    /// <summary>As the serializer leaves out a null or default value (JsonIgnoreCondition.WhenWritingDefault).</summary>
    public static void WriteIfSet(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is not null)
            writer.WriteString(name, value);
    }

    public static void WriteIfSet(Utf8JsonWriter writer, JsonEncodedText name, DateTimeOffset? value)
    {
        if (value is { } v && v != default)
            writer.WriteString(name, v);
    }

    public static DateTimeOffset? ReadInstant(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset();
}

internal sealed class ExecutionRecordConverter : JsonConverter<ExecutionRecord>
{
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id"), Activity = JsonEncodedText.Encode("a"), Node = JsonEncodedText.Encode("n"),
        TypeName = JsonEncodedText.Encode("t"), Status = JsonEncodedText.Encode("s"), Started = JsonEncodedText.Encode("st"), Completed = JsonEncodedText.Encode("ct"),
        Inputs = JsonEncodedText.Encode("in"), Outcomes = JsonEncodedText.Encode("o"), Outputs = JsonEncodedText.Encode("out"), Bookmarks = JsonEncodedText.Encode("b"),
        Due = JsonEncodedText.Encode("due"), Exception = JsonEncodedText.Encode("e"), Backward = JsonEncodedText.Encode("bw"), Parent = JsonEncodedText.Encode("p"),
        Cursor = JsonEncodedText.Encode("k"), Locals = JsonEncodedText.Encode("lv");

    public override ExecutionRecord Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        StateStrings.Expect(ref reader, JsonTokenType.StartObject);
        var record = new ExecutionRecord();
        Span<byte> buffer = stackalloc byte[StateStrings.NameBuffer];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // The state is always read from one buffer: a value never spans segments.
            var name = reader.ValueIsEscaped ? buffer[..StateStrings.Unescape(ref reader, buffer)] : reader.ValueSpan;
            reader.Read();
            switch (name)
            {
                case [(byte)'i', (byte)'d']: record.Id = StateStrings.Read(ref reader)!; break;
                case [(byte)'a']: record.ActivityId = StateStrings.Read(ref reader)!; break;
                case [(byte)'n']: record.NodeId = StateStrings.Read(ref reader)!; break;
                case [(byte)'t']: record.ActivityType = StateStrings.Read(ref reader)!; break;
                case [(byte)'s']: record.Status = (ExecutionStatus)reader.GetInt32(); break;
                case [(byte)'s', (byte)'t']: record.StartedAt = reader.GetDateTimeOffset(); break;
                case [(byte)'c', (byte)'t']: record.CompletedAt = StateStrings.ReadInstant(ref reader); break;
                case [(byte)'i', (byte)'n']: record.Inputs = JsonSerializer.Deserialize<Dictionary<string, JsonNode?>>(ref reader, options); break;
                case [(byte)'o']: record.Outcomes = StateStrings.ReadList(ref reader, share: true); break;
                case [(byte)'o', (byte)'u', (byte)'t']: record.Outputs = JsonSerializer.Deserialize<Dictionary<string, JsonNode?>>(ref reader, options); break;
                case [(byte)'b']: record.Bookmarks = StateStrings.ReadList(ref reader, share: false); break;
                case [(byte)'d', (byte)'u', (byte)'e']: record.TimerDue = StateStrings.ReadInstant(ref reader); break;
                case [(byte)'e']: record.Exception = reader.GetString(); break;
                case [(byte)'b', (byte)'w']: record.Backward = reader.GetBoolean(); break;
                case [(byte)'p']: record.ParentId = StateStrings.Read(ref reader); break;
                case [(byte)'k']: record.Cursor = reader.GetInt32(); break;
                case [(byte)'l', (byte)'v']: record.Locals = JsonSerializer.Deserialize<Dictionary<string, JsonNode?>>(ref reader, options); break;
                default: reader.Skip(); break;
            }
        }
        StateStrings.Expect(ref reader, JsonTokenType.EndObject);
        return record;
    }

    public override void Write(Utf8JsonWriter writer, ExecutionRecord value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        StateStrings.WriteIfSet(writer, Id, value.Id);
        StateStrings.WriteIfSet(writer, Activity, value.ActivityId);
        StateStrings.WriteIfSet(writer, Node, value.NodeId);
        StateStrings.WriteIfSet(writer, TypeName, value.ActivityType);
        if (value.Status != default)
            writer.WriteNumber(Status, (int)value.Status);
        StateStrings.WriteIfSet(writer, Started, value.StartedAt);
        StateStrings.WriteIfSet(writer, Completed, value.CompletedAt);
        WriteValues(writer, Inputs, value.Inputs, options);
        StateStrings.WriteList(writer, Outcomes, value.Outcomes);
        WriteValues(writer, Outputs, value.Outputs, options);
        StateStrings.WriteList(writer, Bookmarks, value.Bookmarks);
        StateStrings.WriteIfSet(writer, Due, value.TimerDue);
        StateStrings.WriteIfSet(writer, Exception, value.Exception);
        if (value.Backward)
            writer.WriteBoolean(Backward, true);
        StateStrings.WriteIfSet(writer, Parent, value.ParentId);
        if (value.Cursor != 0)
            writer.WriteNumber(Cursor, value.Cursor);
        WriteValues(writer, Locals, value.Locals, options);
        writer.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter writer, JsonEncodedText name, Dictionary<string, JsonNode?>? values, JsonSerializerOptions options)
    {
        if (values is null)
            return;
        writer.WritePropertyName(name);
        JsonSerializer.Serialize(writer, values, options);
    }
}

internal sealed class JournalEntryConverter : JsonConverter<JournalEntry>
{
    private static readonly JsonEncodedText Sequence = JsonEncodedText.Encode("q"), At = JsonEncodedText.Encode("at"), Event = JsonEncodedText.Encode("ev"),
        Execution = JsonEncodedText.Encode("x"), Message = JsonEncodedText.Encode("m");

    public override JournalEntry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        StateStrings.Expect(ref reader, JsonTokenType.StartObject);
        var (sequence, at) = (0, default(DateTimeOffset));
        string? activity = null, node = null, type = null, eventName = null, execution = null, message = null;
        Span<byte> buffer = stackalloc byte[StateStrings.NameBuffer];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // The state is always read from one buffer: a value never spans segments.
            var name = reader.ValueIsEscaped ? buffer[..StateStrings.Unescape(ref reader, buffer)] : reader.ValueSpan;
            reader.Read();
            switch (name)
            {
                case [(byte)'q']: sequence = reader.GetInt32(); break;
                case [(byte)'a', (byte)'t']: at = reader.GetDateTimeOffset(); break;
                case [(byte)'a']: activity = StateStrings.Read(ref reader); break;
                case [(byte)'n']: node = StateStrings.Read(ref reader); break;
                case [(byte)'t']: type = StateStrings.Read(ref reader); break;
                case [(byte)'e', (byte)'v']: eventName = StateStrings.Read(ref reader); break;
                case [(byte)'x']: execution = StateStrings.Read(ref reader); break;
                case [(byte)'m']: message = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }
        StateStrings.Expect(ref reader, JsonTokenType.EndObject);
        return new JournalEntry(sequence, at, activity!, node!, type!, eventName!, execution!, message);
    }

    public override void Write(Utf8JsonWriter writer, JournalEntry value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        if (value.Sequence != 0)
            writer.WriteNumber(Sequence, value.Sequence);
        StateStrings.WriteIfSet(writer, At, value.Timestamp);
        StateStrings.WriteIfSet(writer, Event, value.EventName);
        StateStrings.WriteIfSet(writer, Execution, value.ExecutionId);
        StateStrings.WriteIfSet(writer, Message, value.Message);
        writer.WriteEndObject();
    }
}

/// <summary>The flow scope's counters, keyed by activity id or connection key: the keys are shared strings.</summary>
internal sealed class CounterConverter<T> : JsonConverter<Dictionary<string, T>> where T : struct
{
    public override Dictionary<string, T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        StateStrings.Expect(ref reader, JsonTokenType.StartObject);
        var counters = new Dictionary<string, T>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = StateStrings.Read(ref reader)!;
            reader.Read();
            counters[key] = typeof(T) == typeof(bool) ? (T)(object)reader.GetBoolean() : (T)(object)reader.GetInt64();
        }
        StateStrings.Expect(ref reader, JsonTokenType.EndObject);
        return counters;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, T> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, counter) in value)
        {
            if (counter is bool followed)
                writer.WriteBoolean(key, followed);
            else
                writer.WriteNumber(key, (long)(object)counter);
        }
        writer.WriteEndObject();
    }
}
