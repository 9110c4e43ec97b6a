package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.tokenauthority.server.core.Failure;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateRecordTokenRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ErrorReason;
import dev.tokenauthority.v1.FaultToken;
import dev.tokenauthority.v1.GenerateFaultTokenRequest;
import dev.tokenauthority.v1.JsonWebKey;
import dev.tokenauthority.v1.JsonWebKeySet;
import dev.tokenauthority.v1.RecordToken;
import dev.tokenauthority.v1.User;
import dev.tokenauthority.v1.WorkspaceToken;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The API as the seeds document it: paths, verbs, JSON names, and the descriptor set Envoy reads. */
class ApiContractTest {

  static FileDescriptorSet descriptorSet() throws Exception {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    registry.add(AnnotationsProto.http);
    try (InputStream in = ApiContractTest.class.getResourceAsStream("/tokenauthority.pb")) {
      assertThat(in).as("tokenauthority.pb packaged in the proto jar").isNotNull();
      return FileDescriptorSet.parseFrom(in, registry);
    }
  }

  @Test
  void descriptorSetCarriesImportsAndSourceInfo() throws Exception {
    FileDescriptorSet set = descriptorSet();
    assertThat(set.getFileList()).extracting(FileDescriptorProto::getName)
        .contains("google/api/http.proto", "google/api/annotations.proto", "google/protobuf/timestamp.proto",
            "tokenauthority/v1/record_tokens.proto", "tokenauthority/v1/workspace_tokens.proto");
    FileDescriptorProto records = file(set, "tokenauthority/v1/record_tokens.proto");
    assertThat(records.getSourceCodeInfo().getLocationList())
        .anyMatch(location -> location.getLeadingComments().contains("single record"));
  }

  @Test
  void everyServiceMethodMessageFieldAndEnumValueIsCommented() throws Exception {
    List<String> missing = new ArrayList<>();
    for (FileDescriptorProto file : descriptorSet().getFileList()) {
      if (!file.getPackage().equals("tokenauthority.v1")) {
        continue;
      }
      Set<List<Integer>> commented = new HashSet<>();
      file.getSourceCodeInfo().getLocationList().stream()
          .filter(l -> !l.getLeadingComments().isBlank())
          .forEach(l -> commented.add(l.getPathList()));
      for (int i = 0; i < file.getServiceCount(); i++) {
        check(commented, missing, file.getService(i).getName(), 6, i);
        for (int j = 0; j < file.getService(i).getMethodCount(); j++) {
          check(commented, missing, file.getService(i).getMethod(j).getName(), 6, i, 2, j);
        }
      }
      for (int i = 0; i < file.getMessageTypeCount(); i++) {
        var message = file.getMessageType(i);
        check(commented, missing, message.getName(), 4, i);
        for (int j = 0; j < message.getFieldCount(); j++) {
          check(commented, missing, message.getName() + "." + message.getField(j).getName(), 4, i, 2, j);
        }
      }
      for (int i = 0; i < file.getEnumTypeCount(); i++) {
        check(commented, missing, file.getEnumType(i).getName(), 5, i);
        for (int j = 0; j < file.getEnumType(i).getValueCount(); j++) {
          check(commented, missing, file.getEnumType(i).getValue(j).getName(), 5, i, 2, j);
        }
      }
    }
    assertThat(missing).as("elements without a leading comment").isEmpty();
  }

  private static void check(Set<List<Integer>> commented, List<String> missing, String name,
      Integer... path) {
    if (!commented.contains(List.of(path))) {
      missing.add(name);
    }
  }

  @Test
  void everySeedOperationHasItsDocumentedPathAndVerb() throws Exception {
    Map<String, HttpRule> rules = new HashMap<>();
    for (FileDescriptorProto file : descriptorSet().getFileList()) {
      if (!file.getPackage().equals("tokenauthority.v1")) {
        continue;
      }
      for (ServiceDescriptorProto service : file.getServiceList()) {
        for (MethodDescriptorProto method : service.getMethodList()) {
          assertThat(method.getOptions().hasExtension(AnnotationsProto.http))
              .as(service.getName() + "." + method.getName() + " has an HTTP rule").isTrue();
          rules.put(service.getName() + "." + method.getName(), method.getOptions().getExtension(AnnotationsProto.http));
        }
      }
    }
    assertThat(rules.get("RecordTokenService.CreateRecordToken").getPost()).isEqualTo("/api/v1/records/{record}/tokens");
    assertThat(rules.get("FaultTokenService.GenerateFaultToken").getPost()).isEqualTo("/fault/token");
    assertThat(rules.get("AccountApiTokenService.CreateApiToken").getPost()).isEqualTo("/public/v1/accounts/api-tokens");
    assertThat(rules.get("AccessTokenService.CreateAccessToken").getPost()).isEqualTo("/api/access-tokens");
    assertThat(rules.get("WorkspaceTokenService.CreateWorkspaceToken").getPost()).isEqualTo("/tokens");
    assertThat(rules.get("AccessTokenService.CreateAccessToken").getBody()).isEqualTo("access_token");
    assertThat(rules.get("AccountApiTokenService.CreateApiToken").getBody()).isEqualTo("api_token");
  }

  @Test
  void responsesUseExactlyTheSeedsJsonNames() throws Exception {
    assertThat(jsonKeys(RecordToken.newBuilder())).containsExactlyInAnyOrder("company_id", "companyId", "created_at",
        "expires_at", "key", "record_id", "type", "user_id", "userId", "createdAt", "token", "status");
    // fault tokens add `id` (the lifecycle's name for a token) and both add `status`, each documented as an addition
    assertThat(jsonKeys(FaultToken.newBuilder())).containsExactlyInAnyOrder("token", "type", "expires_in_minutes",
        "expires_at", "short_link", "id", "status");
    assertThat(jsonKeys(ApiToken.newBuilder())).containsExactlyInAnyOrder("id", "audit", "$meta", "status", "name",
        "description", "icon", "lastAccessAt", "token", "account", "modules");
    // seed 003 documents neither a secret nor a status: `token` is added, or the token could never be
    // used, and `status`, or a revoked token could not be told from an active one
    assertThat(jsonKeys(AccessToken.newBuilder())).containsExactlyInAnyOrder("changeSequence", "createdOn",
        "expiresAt", "id", "name", "updatedOn", "user", "userId", "uuid", "token", "status");
    assertThat(jsonKeys(User.newBuilder())).containsExactlyInAnyOrder("active", "bio", "businessGroup",
        "changeSequence", "createdOn", "email", "firstName", "groupsJson", "id", "image", "isExternallyManaged",
        "lastName", "preferences", "roles", "rolesJson", "searchText", "showDeveloperTools", "title", "updatedOn",
        "userStorage", "userType", "uuid");
    assertThat(jsonKeys(WorkspaceToken.newBuilder())).containsExactlyInAnyOrder("id", "token", "name", "scopes",
        "status", "created_at", "expires_at", "last_used_at", "created_by");
  }

  @Test
  void theJwksHasItsWellKnownPathAndRfc7517Names() throws Exception {
    MethodDescriptorProto getJwks = file(descriptorSet(), "tokenauthority/v1/signing_keys.proto").getService(0)
        .getMethodList().stream().filter(m -> m.getName().equals("GetJwks")).findFirst().orElseThrow();
    assertThat(getJwks.getOptions().getExtension(AnnotationsProto.http).getGet()).isEqualTo("/.well-known/jwks.json");
    assertThat(jsonKeys(JsonWebKeySet.newBuilder())).containsExactly("keys");
    assertThat(jsonKeys(JsonWebKey.newBuilder())).containsExactly("kty", "crv", "x", "y", "kid", "use", "alg");
  }

  @Test
  void theSeedsExampleRequestsParse() throws Exception {
    JsonFormat.Parser parser = JsonFormat.parser();
    CreateRecordTokenRequest.Builder record = CreateRecordTokenRequest.newBuilder();
    parser.merge("{\"expires_in\": 3600}", record);
    assertThat(record.getExpiresIn()).isEqualTo(3600);

    GenerateFaultTokenRequest.Builder fault = GenerateFaultTokenRequest.newBuilder();
    parser.merge("{\"expire_after_minutes\": 60}", fault);
    assertThat(fault.getExpireAfterMinutes()).isEqualTo(60);

    ApiToken.Builder api = ApiToken.newBuilder();
    parser.merge("""
        {"account": {"id": "text"}, "name": "text", "icon": "text", "description": "text",
         "modules": [{"id": "text"}]}""", api);
    assertThat(api.getAccount().getId()).isEqualTo("text");
    assertThat(api.getModules(0).getId()).isEqualTo("text");

    AccessToken.Builder access = AccessToken.newBuilder();
    parser.merge("""
        {"changeSequence": 123, "createdOn": "2023-11-07T05:31:56Z", "expiresAt": "2023-11-07T05:31:56Z",
         "id": "<string>", "name": "<string>", "updatedOn": "2023-11-07T05:31:56Z",
         "user": {"active": true, "bio": "<string>", "businessGroup": "<string>", "changeSequence": 123,
           "createdOn": "2023-11-07T05:31:56Z", "email": "<string>", "firstName": "<string>",
           "groupsJson": "<string>", "id": "<string>", "image": "<string>", "isExternallyManaged": true,
           "lastName": "<string>",
           "preferences": {"showOnboarding": true, "showScrollbars": true, "showWelcomeMessage": true},
           "roles": {"roles": ["<string>"]}, "rolesJson": "<string>", "searchText": "<string>",
           "showDeveloperTools": true, "title": "<string>", "updatedOn": "2023-11-07T05:31:56Z",
           "userStorage": {"favoriteLinks": [{"link": "<string>"}]}, "userType": "<string>", "uuid": "<string>"},
         "userId": "<string>", "uuid": "<string>"}""", access);
    assertThat(access.getName()).isEqualTo("<string>");

    CreateWorkspaceTokenRequest.Builder workspace = CreateWorkspaceTokenRequest.newBuilder();
    parser.merge("""
        {"name": "CI deploy", "scopes": ["tokens:read", "tokens:write"], "expires_at": "2027-01-15T09:00:00Z"}""",
        workspace);
    assertThat(workspace.getExpiresAt().getSeconds())
        .isEqualTo(java.time.Instant.parse("2027-01-15T09:00:00Z").getEpochSecond());
  }

  @Test
  void everyCoreFailureReasonIsAnApiErrorReason() {
    Set<String> api = Set.copyOf(Arrays.stream(ErrorReason.values()).map(Enum::name).toList());
    for (Failure.Reason reason : Failure.Reason.values()) {
      assertThat(api).contains(reason.name());
    }
  }

  private static FileDescriptorProto file(FileDescriptorSet set, String name) {
    return set.getFileList().stream().filter(f -> f.getName().equals(name)).findFirst().orElseThrow();
  }

  /** The top-level JSON keys of a message with every field set. */
  private static Set<String> jsonKeys(Message.Builder builder) throws Exception {
    for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
      if (field.isMapField()) {
        continue;
      }
      Object value = switch (field.getJavaType()) {
        case STRING -> "x";
        case INT, LONG, BOOLEAN, DOUBLE, FLOAT, BYTE_STRING, ENUM -> null;
        case MESSAGE -> field.getMessageType().getFullName().equals(Timestamp.getDescriptor().getFullName())
            ? Timestamp.newBuilder().setSeconds(1).build()
            : builder.newBuilderForField(field).build();
      };
      if (value == null) {
        value = switch (field.getJavaType()) {
          case INT -> 1;
          case LONG -> 1L;
          case BOOLEAN -> true;
          default -> throw new AssertionError("unexpected field type in " + field.getFullName());
        };
      }
      if (field.isRepeated()) {
        builder.addRepeatedField(field, value);
      } else {
        builder.setField(field, value);
      }
    }
    JsonObject json = JsonParser.parseString(JsonFormat.printer().print(builder)).getAsJsonObject();
    return json.keySet();
  }
}
