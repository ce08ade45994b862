//! Service-level buf rules, services paired by full name and methods by name: RPC_NO_DELETE,
//! RPC_SAME_CLIENT_STREAMING, RPC_SAME_SERVER_STREAMING, RPC_SAME_REQUEST_TYPE, RPC_SAME_RESPONSE_TYPE,
//! RPC_SAME_IDEMPOTENCY_LEVEL.

use super::{loc, sorted, Cx, Out};
use crate::formats::protobuf::rules::*;

fn idem(v: i32) -> &'static str {
    match v {
        1 => "NO_SIDE_EFFECTS",
        2 => "IDEMPOTENT",
        _ => "IDEMPOTENCY_UNKNOWN",
    }
}

pub(super) fn check(cx: &Cx<'_>, out: &mut Out) {
    for name in sorted(&cx.old.services) {
        let (of, os) = cx.old.services[name];
        let Some(&(nf, ns)) = cx.new.services.get(name) else {
            continue;
        };
        for om in &os.methods {
            let ptr = format!("{}.{}", ns.full_name, om.name);
            let Some(nm) = ns.methods.iter().find(|m| m.name == om.name) else {
                out.emit(
                    &RPC_NO_DELETE,
                    &nf.path,
                    format!("rpc `{}` of service `{}` was deleted", om.name, ns.full_name),
                    "restore the rpc, or mark it `option deprecated = true;` instead of deleting it",
                    Some(loc(nf, &ns.span, ns.full_name.clone())),
                    Some(loc(of, &om.span, ptr)),
                    &[&om.ignores, &ns.ignores],
                );
                continue;
            };
            let ign = [&nm.ignores, &om.ignores];
            let here = loc(nf, &nm.span, ptr.clone());
            let there = loc(of, &om.span, ptr.clone());
            let stream = |b: bool| if b { "streaming" } else { "unary" };
            if om.client_streaming != nm.client_streaming {
                out.emit(
                    &RPC_SAME_CLIENT_STREAMING,
                    &nf.path,
                    format!(
                        "rpc `{}` of service `{}` changed from client {} to client {}",
                        nm.name,
                        ns.full_name,
                        stream(om.client_streaming),
                        stream(nm.client_streaming)
                    ),
                    "restore the previous `stream` keyword on the request, or add a new rpc",
                    Some(here.clone()),
                    Some(there.clone()),
                    &ign,
                );
            }
            if om.server_streaming != nm.server_streaming {
                out.emit(
                    &RPC_SAME_SERVER_STREAMING,
                    &nf.path,
                    format!(
                        "rpc `{}` of service `{}` changed from server {} to server {}",
                        nm.name,
                        ns.full_name,
                        stream(om.server_streaming),
                        stream(nm.server_streaming)
                    ),
                    "restore the previous `stream` keyword on the response, or add a new rpc",
                    Some(here.clone()),
                    Some(there.clone()),
                    &ign,
                );
            }
            if om.input != nm.input {
                out.emit(
                    &RPC_SAME_REQUEST_TYPE,
                    &nf.path,
                    format!(
                        "rpc `{}` of service `{}` changed request type from `{}` to `{}`",
                        nm.name, ns.full_name, om.input, nm.input
                    ),
                    "restore the previous request type, or add a new rpc",
                    Some(loc(
                        nf,
                        nm.input_span.as_ref().unwrap_or(&nm.span),
                        ptr.clone(),
                    )),
                    Some(loc(
                        of,
                        om.input_span.as_ref().unwrap_or(&om.span),
                        ptr.clone(),
                    )),
                    &ign,
                );
            }
            if om.output != nm.output {
                out.emit(
                    &RPC_SAME_RESPONSE_TYPE,
                    &nf.path,
                    format!(
                        "rpc `{}` of service `{}` changed response type from `{}` to `{}`",
                        nm.name, ns.full_name, om.output, nm.output
                    ),
                    "restore the previous response type, or add a new rpc",
                    Some(loc(
                        nf,
                        nm.output_span.as_ref().unwrap_or(&nm.span),
                        ptr.clone(),
                    )),
                    Some(loc(
                        of,
                        om.output_span.as_ref().unwrap_or(&om.span),
                        ptr.clone(),
                    )),
                    &ign,
                );
            }
            if om.idempotency != nm.idempotency {
                out.emit(
                    &RPC_SAME_IDEMPOTENCY_LEVEL,
                    &nf.path,
                    format!(
                        "rpc `{}` of service `{}` changed option \"idempotency_level\" from \"{}\" to \"{}\"",
                        nm.name,
                        ns.full_name,
                        idem(om.idempotency),
                        idem(nm.idempotency)
                    ),
                    "restore the previous idempotency level: clients and proxies decide retries and GET mapping from it",
                    Some(loc(nf, nm.idempotency_span.as_ref().unwrap_or(&nm.span), ptr.clone())),
                    Some(loc(of, om.idempotency_span.as_ref().unwrap_or(&om.span), ptr)),
                    &ign,
                );
            }
        }
    }
}
