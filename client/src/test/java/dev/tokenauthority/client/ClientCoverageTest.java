package dev.tokenauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The client keeps up with the API: every RPC in the descriptor set has a typed method. */
class ClientCoverageTest {
  /** Every {@code tokenauthority.v1} RPC as {@code Service/Method}, from the descriptor set the proto module packages. */
  static List<String> everyRpc() throws Exception {
    FileDescriptorSet set;
    try (InputStream in = ClientCoverageTest.class.getResourceAsStream("/tokenauthority.pb")) {
      assertThat(in).as("tokenauthority.pb on the class path").isNotNull();
      set = FileDescriptorSet.parseFrom(in);
    }
    List<String> rpcs = new ArrayList<>();
    for (FileDescriptorProto file : set.getFileList()) {
      if (!file.getPackage().equals("tokenauthority.v1")) {
        continue;
      }
      for (ServiceDescriptorProto service : file.getServiceList()) {
        for (MethodDescriptorProto method : service.getMethodList()) {
          rpcs.add("tokenauthority.v1." + service.getName() + "/" + method.getName());
        }
      }
    }
    return rpcs;
  }

  @Test
  void everyRpcOfEveryServiceHasATypedMethod() throws Exception {
    Set<String> methods = Arrays.stream(TokenAuthorityClient.class.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
        .map(Method::getName).collect(Collectors.toSet());
    List<String> rpcs = everyRpc();
    assertThat(rpcs).hasSizeGreaterThanOrEqualTo(34);
    List<String> missing = rpcs.stream()
        .filter(rpc -> !methods.contains(lowerCamel(rpc.substring(rpc.indexOf('/') + 1)))).toList();
    assertThat(missing).as("RPCs without a TokenAuthorityClient method").isEmpty();
  }

  @Test
  void exactlyTheReadOnlyRpcsAreRetried() throws Exception {
    Set<String> readOnly = everyRpc().stream()
        .filter(rpc -> rpc.substring(rpc.indexOf('/') + 1).matches("(Get|List|Introspect|Check|Resolve).*"))
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> retried = TokenAuthorityClient.IDEMPOTENT_METHODS.stream().map(m -> m.getFullMethodName())
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(retried).isEqualTo(readOnly);
    assertThat(retried).noneMatch(name -> name.matches(".*/(Create|Update|Revoke|Rotate|Generate).*"));
  }

  private static String lowerCamel(String rpc) {
    return Character.toLowerCase(rpc.charAt(0)) + rpc.substring(1);
  }
}
