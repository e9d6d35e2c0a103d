package Catmandu::Store::YAMLSearch::Bag;

use Catmandu::Sane;
use Moo;
use Catmandu::Hits;
use YAML::XS qw(LoadFile);
use namespace::clean;

with 'Catmandu::Bag';
with 'Catmandu::CQLSearchable';

my %fields = (datestamp => 'datestamp', set => 'setSpec', _id => '_id');

sub _records {
    my ($self) = @_;
    my @all = LoadFile($self->store->file);
    [sort { $a->{datestamp} cmp $b->{datestamp} || $a->{_id} cmp $b->{_id} } @all];
}

sub generator {
    my ($self) = @_;
    my $list = $self->_records;
    sub { shift @$list };
}

sub get {
    my ($self, $id) = @_;
    (grep { $_->{_id} eq $id } @{$self->_records})[0];
}

sub add    { die "read-only store\n" }
sub delete { die "read-only store\n" }
sub delete_all { die "read-only store\n" }
sub delete_by_query { die "read-only store\n" }
sub drop   { die "read-only store\n" }
sub commit {1}

sub translate_sru_sortkeys { $_[1] }

# A query is a list of [field, op, value]; cql.allRecords is none.
sub translate_cql_query {
    my ($self, $cql) = @_;
    my @terms;
    for my $part (split /\s+and\s+/, $cql) {
        $part =~ s/^\(+|\)+$//g;
        next if $part eq 'cql.allRecords';
        $part =~ /^(\S+)\s+(=|exact|>=|<=)\s+"?([^"]*)"?$/ or die "unsupported CQL: $part\n";
        push @terms, [$fields{$1} // $1, $2, $3];
    }
    \@terms;
}

sub _match {
    my ($rec, $terms) = @_;
    for my $t (@$terms) {
        my ($f, $op, $v) = @$t;
        my @have = ref $rec->{$f} eq 'ARRAY' ? @{$rec->{$f}} : ($rec->{$f} // '');
        if ($op eq '>=') { return 0 unless $have[0] ge $v }
        elsif ($op eq '<=') { return 0 unless $have[0] le $v }
        else { return 0 unless grep { $_ eq $v } @have }
    }
    1;
}

sub search {
    my ($self, %args) = @_;
    my $terms = $args{query} // [];
    my @match = grep { _match($_, $terms) } @{$self->_records};
    my $start = $args{start} // 0;
    my $limit = $args{limit} // 10;
    my @page = grep {defined} @match[$start .. $start + $limit - 1];
    Catmandu::Hits->new(start => $start, limit => $limit, total => scalar @match, hits => \@page);
}

sub searcher { die "not supported\n" }

1;
