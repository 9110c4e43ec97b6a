package dev.tokenauthority.server.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.tokenauthority.server.core.Directory;
import dev.tokenauthority.server.core.Principal;
import dev.tokenauthority.server.store.Rows.AccountRow;
import dev.tokenauthority.server.store.Rows.UserRow;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.FavoriteLink;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.ModuleEligibility;
import dev.tokenauthority.v1.ModuleSettings;
import dev.tokenauthority.v1.PrincipalRef;
import dev.tokenauthority.v1.User;
import dev.tokenauthority.v1.UserPreferences;
import dev.tokenauthority.v1.UserRoles;
import dev.tokenauthority.v1.UserStorage;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Directory rows as API messages, shared by the service adapters that expand them. */
final class Messages {
  private static final JsonFormat.Printer COMPACT_JSON = JsonFormat.printer().omittingInsignificantWhitespace();

  private Messages() {}

  static User user(UserRow row) {
    List<String> roles = Directory.split(row.roles());
    return User.newBuilder()
        .setActive(row.active())
        .setBio(row.bio())
        .setBusinessGroup(row.businessGroup())
        .setChangeSequence(row.changeSequence())
        .setCreatedOn(ProtoTime.of(row.createdAt()))
        .setEmail(row.email())
        .setFirstName(row.firstName())
        .setGroupsJson("[]")
        .setId(row.id())
        .setImage(row.image())
        .setIsExternallyManaged(row.externallyManaged())
        .setLastName(row.lastName())
        .setPreferences(UserPreferences.newBuilder()
            .setShowOnboarding(row.showOnboarding())
            .setShowScrollbars(row.showScrollbars())
            .setShowWelcomeMessage(row.showWelcomeMessage()))
        .setRoles(UserRoles.newBuilder().addAllRoles(roles))
        .setRolesJson(jsonArray(roles))
        .setSearchText(Stream.of(row.firstName(), row.lastName(), row.email())
            .filter(s -> !s.isEmpty()).collect(Collectors.joining(" ")))
        .setShowDeveloperTools(row.showDeveloperTools())
        .setTitle(row.title())
        .setUpdatedOn(ProtoTime.of(row.updatedAt()))
        .setUserStorage(UserStorage.newBuilder().addAllFavoriteLinks(Directory.split(row.favoriteLinks()).stream()
            .map(link -> FavoriteLink.newBuilder().setLink(link).build()).toList()))
        .setUserType(row.userType())
        .setUuid(row.uuid())
        .build();
  }

  static Account account(AccountRow row) {
    return Account.newBuilder()
        .setId(row.id())
        .setIcon(row.icon())
        .setType(row.type())
        .setStatus(row.status())
        .setName(row.name())
        .build();
  }

  static Module module(Directory.Module module) {
    var row = module.row();
    Module.Builder builder = Module.newBuilder()
        .setId(row.id())
        .setDescription(row.description())
        .setName(row.name())
        .setSettings(ModuleSettings.newBuilder()
            .setConfigurable(row.configurable())
            .setDefault(row.enabledByDefault())
            .setPaid(row.paid())
            .addAllType(Directory.split(row.types()))
            .setObsolete(row.obsolete())
            .setEligibility(ModuleEligibility.newBuilder()
                .setMulti(row.eligibleMulti())
                .setSingle(row.eligibleSingle())));
    module.filters().forEach((key, values) -> builder.putFilters(key, listValue(values)));
    return builder.build();
  }

  static PrincipalRef principal(Principal principal) {
    return PrincipalRef.newBuilder()
        .setType("user")
        .setId(principal.userId())
        .setEmail(principal.userEmail())
        .setTokenId(principal.tokenId())
        .build();
  }

  private static ListValue listValue(List<String> values) {
    return ListValue.newBuilder()
        .addAllValues(values.stream().map(v -> Value.newBuilder().setStringValue(v).build()).toList())
        .build();
  }

  /** A JSON array of strings, escaped by protobuf's JSON printer. */
  private static String jsonArray(List<String> values) {
    try {
      return COMPACT_JSON.print(listValue(values));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a list of strings always prints", e);
    }
  }
}
