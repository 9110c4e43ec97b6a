package dev.tokenauthority.server.api;

import com.google.protobuf.Value;
import dev.tokenauthority.server.core.Directory;
import dev.tokenauthority.server.core.Tenants;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.CreateAccountRequest;
import dev.tokenauthority.v1.CreateModuleRequest;
import dev.tokenauthority.v1.CreateRecordRequest;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateTenantResponse;
import dev.tokenauthority.v1.CreateUserRequest;
import dev.tokenauthority.v1.DirectoryServiceGrpc;
import dev.tokenauthority.v1.FavoriteLink;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.Tenant;
import dev.tokenauthority.v1.User;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The directory administration RPCs. */
final class DirectoryService extends DirectoryServiceGrpc.DirectoryServiceImplBase {
  private final Directory directory;
  private final Tenants tenants;

  DirectoryService(Directory directory, Tenants tenants) {
    this.directory = directory;
    this.tenants = tenants;
  }

  @Override
  public void createTenant(CreateTenantRequest request, StreamObserver<CreateTenantResponse> response) {
    Tenants.TenantCreated created = tenants.createTenant(AuthInterceptor.principal(), request.getTenant().getName(),
        request.getAdminEmail());
    response.onNext(CreateTenantResponse.newBuilder()
        .setTenant(Tenant.newBuilder()
            .setId(created.tenant().id())
            .setName(created.tenant().name())
            .setCreateTime(ProtoTime.of(created.tenant().createdAt())))
        .setAdminUser(Messages.user(created.admin()))
        .setAdminToken(WorkspaceTokenService.toProto(created.adminToken(), "active"))
        .build());
    response.onCompleted();
  }

  @Override
  public void createUser(CreateUserRequest request, StreamObserver<User> response) {
    User in = request.getUser();
    var profile = new Directory.UserProfile(in.getEmail(), in.getFirstName(), in.getLastName(), in.getTitle(),
        in.getBio(), in.getBusinessGroup(), in.getImage(), in.getUserType(), !in.hasActive() || in.getActive(),
        in.getIsExternallyManaged(), in.getShowDeveloperTools(), in.getPreferences().getShowOnboarding(),
        in.getPreferences().getShowScrollbars(), in.getPreferences().getShowWelcomeMessage(),
        in.getRoles().getRolesList(),
        in.getUserStorage().getFavoriteLinksList().stream().map(FavoriteLink::getLink).toList());
    response.onNext(Messages.user(directory.createUser(AuthInterceptor.principal(), profile, request.getScopesList())));
    response.onCompleted();
  }

  @Override
  public void createRecord(CreateRecordRequest request, StreamObserver<Record> response) {
    var row = directory.createRecord(AuthInterceptor.principal(), request.getRecord().getId(),
        request.getRecord().getTitle());
    response.onNext(Record.newBuilder()
        .setId(row.id())
        .setTitle(row.title())
        .setCreateTime(ProtoTime.of(row.createdAt()))
        .build());
    response.onCompleted();
  }

  @Override
  public void createAccount(CreateAccountRequest request, StreamObserver<Account> response) {
    Account in = request.getAccount();
    var row = directory.createAccount(AuthInterceptor.principal(), in.getId(), in.getName(), in.getIcon(),
        in.getType());
    response.onNext(Messages.account(row));
    response.onCompleted();
  }

  @Override
  public void createModule(CreateModuleRequest request, StreamObserver<Module> response) {
    Module in = request.getModule();
    var settings = in.getSettings();
    var spec = new Directory.ModuleSpec(in.getId(), in.getName(), in.getDescription(), filters(in),
        settings.getConfigurable(), settings.getDefault(), settings.getPaid(), settings.getTypeList(),
        settings.getObsolete(), settings.getEligibility().getMulti(), settings.getEligibility().getSingle());
    response.onNext(Messages.module(directory.createModule(AuthInterceptor.principal(), spec)));
    response.onCompleted();
  }

  /** The module's filters as string lists; a value that is not a string becomes null, which the core rejects. */
  private static Map<String, List<String>> filters(Module module) {
    Map<String, List<String>> filters = new LinkedHashMap<>();
    module.getFiltersMap().forEach((key, list) -> {
      List<String> values = new ArrayList<>();
      for (Value value : list.getValuesList()) {
        values.add(value.getKindCase() == Value.KindCase.STRING_VALUE ? value.getStringValue() : null);
      }
      filters.put(key, values);
    });
    return filters;
  }
}
