# Run after protoc on a generated <name>.grpc.pb.h: includes common/grpc/lenient_requests.h first,
# so every translation unit that instantiates a service's handlers or stubs sees the same
# (lenient) SerializationTraits of its requests. Usage: cmake -DFILE=<header> -P <this file>
file(READ "${FILE}" content)
file(WRITE "${FILE}" "#include \"common/grpc/lenient_requests.h\"  // added by infobus's build\n${content}")
