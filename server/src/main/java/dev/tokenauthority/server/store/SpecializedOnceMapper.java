package dev.tokenauthority.server.store;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.RowMapperFactory;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * JDBI's {@link ConstructorMapper}, specialized once per list of result columns instead of once
 * per result set. Specializing reflects over the record's constructor parameters and their
 * annotations every time (jdbi/jdbi#2406, "Mapper caching is ineffective"): it was most of
 * the CPU of a lookup by secret hash, which every authenticated call makes (README
 * "Benchmarks"). A specialized mapper only holds column indexes and column mappers, which do
 * not change for a given column list, since every mapper is registered once on the
 * {@code Jdbi}.
 */
final class SpecializedOnceMapper<T> implements RowMapper<T> {
  private final RowMapper<T> constructorMapper;
  /** One entry per distinct SELECT shape of the row type: a handful, never growing with data. */
  private final ConcurrentMap<List<String>, RowMapper<T>> byColumns = new ConcurrentHashMap<>();

  private SpecializedOnceMapper(Class<T> type) {
    this.constructorMapper = ConstructorMapper.of(type);
  }

  /** The factory to register on the {@code Jdbi} for {@code type}, a record mapped by its constructor. */
  static <T> RowMapperFactory factory(Class<T> type) {
    return RowMapperFactory.of(type, new SpecializedOnceMapper<>(type));
  }

  @Override
  public T map(ResultSet rs, StatementContext ctx) throws SQLException {
    return specialize(rs, ctx).map(rs, ctx);
  }

  @Override
  public RowMapper<T> specialize(ResultSet rs, StatementContext ctx) throws SQLException {
    ResultSetMetaData metadata = rs.getMetaData();
    List<String> columns = new ArrayList<>(metadata.getColumnCount());
    for (int i = 1; i <= metadata.getColumnCount(); i++) {
      columns.add(metadata.getColumnLabel(i));
    }
    RowMapper<T> specialized = byColumns.get(columns);
    if (specialized == null) {
      specialized = constructorMapper.specialize(rs, ctx);
      byColumns.putIfAbsent(columns, specialized);
    }
    return specialized;
  }
}
