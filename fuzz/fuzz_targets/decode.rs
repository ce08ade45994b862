//! The binary decoders on any bytes: Avro (apache-avro, then the byte walk that locates a failure) and Protobuf
//! (prost-reflect, then the wire walk), each against a schema with every kind of type. No panic, and a located
//! failure lies inside the input.
#![no_main]

use std::sync::OnceLock;

use schemaguard::codec::avro::AvroSchema;
use schemaguard::codec::protobuf;

const AVRO: &str = r#"{"type":"record","name":"R","namespace":"f","fields":[
  {"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"l","type":"long"},
  {"name":"x","type":"float"},{"name":"d","type":"double"},{"name":"s","type":"string"},
  {"name":"y","type":"bytes"},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
  {"name":"fx","type":{"type":"fixed","name":"F","size":3}},
  {"name":"u","type":["null","string",{"type":"array","items":"R"}]},
  {"name":"m","type":{"type":"map","values":{"type":"array","items":"long"}}},
  {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"id","type":{"type":"string","logicalType":"uuid"}}]}"#;

const PROTO: &str = r#"syntax = "proto3";
package f;
message In { int64 seconds = 1; sint32 z = 2; fixed32 f = 3; repeated In again = 4; }
enum E { E_UNSPECIFIED = 0; E_A = 1; }
message M {
  string s = 1; bytes y = 2; int32 i = 3; double d = 4; float x = 5; In in = 6; repeated int64 packed = 7;
  map<string, In> m = 8; E e = 9; oneof o { string a = 10; In b = 11; } repeated string list = 12; bool t = 13;
}
"#;

fn schemas() -> &'static (AvroSchema, prost_reflect::MessageDescriptor) {
    static S: OnceLock<(AvroSchema, prost_reflect::MessageDescriptor)> = OnceLock::new();
    S.get_or_init(|| {
        let avro = AvroSchema::parse(AVRO).expect("the Avro schema parses");
        let pool = protobuf::compile(&[("f.proto", PROTO)]).expect("the proto compiles");
        let msg = protobuf::message(&pool, "f.M").expect("f.M exists");
        (avro, msg)
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let (avro, msg) = schemas();
    if which & 1 == 0 {
        if let Some(b) = avro.locate_bad_bytes(bytes) {
            assert!(b.offset <= bytes.len());
        }
        if let Ok(dec) = avro.decoder(None) {
            let _ = dec.decode(bytes);
        }
    } else {
        if let Some(b) = protobuf::locate_bad_wire(msg, bytes) {
            assert!(b.offset <= bytes.len());
        }
        let _ = protobuf::decode(msg, bytes);
    }
});
